export { registerWebGpuBackend, type RegisterResult, type RegisterWebGpuOptions } from './register';
export { describeAdapter, softwareAdapterReason } from './adapter';
export { loadDawn, type DawnModule, type DawnLoad, type GpuAdapterLike, type GpuLike } from './dawn';

export { registerNativeKernels, unregisterNativeKernels, type RegisterOptions, type RegisterResult } from './register';
export { loadAddon, ADDON_PATH, ACTIVATIONS, type NativeGemm, type AddonLoad } from './addon';
export { configFromEnv, type NativeConfig } from './config';
export { planMatMul, type MatMulPlan } from './plan';
export { BINARY_OPS, broadcastStrides } from './elementwise-kernels';
export { FUSED_KERNELS, fusedKernelConfigs } from './fused-kernels';

import type { TrainerSettings } from '../settings';

/** Learning rate at optimizer update `update` (0-based) of `total`: linear warm-up, then constant, linear or cosine decay. */
export function learningRate(opt: TrainerSettings['optimizer'], update: number, total: number): number {
  if (opt.warmupSteps > 0 && update < opt.warmupSteps) return (opt.lr * (update + 1)) / opt.warmupSteps;
  if (opt.schedule === 'constant') return opt.lr;
  const span = Math.max(1, total - opt.warmupSteps);
  const progress = Math.min(1, (update - opt.warmupSteps) / span);
  const floor = opt.lr * opt.minLrRatio;
  const shape = opt.schedule === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return floor + (opt.lr - floor) * shape;
}

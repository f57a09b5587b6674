import { z } from 'zod';

/** A value that moves from `start` to `end` over `steps` training steps (linear or cosine), then stays. */
export const scheduleSchema = z
  .object({
    start: z.number().min(0).max(1).default(0.5),
    end: z.number().min(0).max(1).default(1),
    steps: z.number().int().positive().default(100),
    shape: z.enum(['linear', 'cosine']).default('linear'),
  })
  .strict();

export type Schedule = z.output<typeof scheduleSchema>;

/** linear: start + (end − start)·p ; cosine: start + (end − start)·(1 − cos(πp))/2 ; p = min(1, step/steps). */
export function scheduleValue(s: Schedule, step: number): number {
  const p = Math.min(1, Math.max(0, step / s.steps));
  const f = s.shape === 'linear' ? p : (1 - Math.cos(Math.PI * p)) / 2;
  return s.start + (s.end - s.start) * f;
}

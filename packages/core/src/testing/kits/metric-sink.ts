import type { MetricSink } from '../../kinds/data';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { check, describeKit, instantiate, type KitOptions } from './common';

export interface MetricSinkKitOptions extends KitOptions {
  /** Reads back what the last instance stored, as `{ step, ...metrics }` records (non-finite values may read as null). */
  read?: () => Record<string, number | null>[] | Promise<Record<string, number | null>[]>;
}

const STEPS: [number, Record<string, number>][] = [
  [0, { 'loss/policy': 0.5, 'objective/ppo-clip/clip_fraction': 0.125 }],
  [1, { 'loss/policy': -0.25, 'reward/exact-match': 1 }],
  [2, { 'loss/policy': Number.NaN, 'advantage/grpo/rows': 8 }],
];

/**
 * The behavioural kit of kind `metricSink`: writes of finite and non-finite metrics never throw, `close`
 * works, and what is read back (when `read` is given) holds every step's finite values exactly.
 */
export function runMetricSinkKit(def: AnyPluginDefinition, kit: MetricSinkKitOptions = {}): void {
  describeKit(def, 'metricSink', kit, () => {
    check(kit, 'shape', 'writes three steps (one with a NaN) and closes without a throw', async () => {
      const sink = instantiate<MetricSink>(def, kit.valid ?? {}, kit);
      for (const [step, metrics] of STEPS) await sink.write(step, { ...metrics });
      await sink.close?.();
      if (!kit.read) return;
      const records = await kit.read();
      expect(records).toHaveLength(STEPS.length);
      STEPS.forEach(([step, metrics], i) => {
        expect(records[i].step).toBe(step);
        for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(v)) expect([k, records[i][k]]).toEqual([k, v]);
      });
    });
  });
}

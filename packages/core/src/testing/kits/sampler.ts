import type { PromptSampler } from '../../kinds/data';
import type { Sample } from '../../kinds/tool';
import type { AnyPluginDefinition } from '../../plugin/define-plugin';
import { check, probe, deepFreeze, describeKit, instantiate, type KitOptions } from './common';

export interface SamplerKitOptions extends KitOptions {
  /** Default: twelve samples with difficulties and hints. */
  dataset?: Sample[];
  /** Prompts asked per step (default 4) and steps run (default 4). */
  batch?: number;
  steps?: number;
}

export function defaultDataset(): Sample[] {
  return Array.from({ length: 12 }, (_, i) => ({
    id: `s${i}`,
    messages: [{ role: 'user', content: `question ${i}` }],
    answer: String(i),
    difficulty: (i % 4) / 4,
    hints: [`hint ${i} (hard)`, `hint ${i} (easy)`],
  }));
}

type Step = { ids: string[]; rollouts: (number | undefined)[] };

/** Runs `steps` steps, feeding back per-sample rewards (sample i solved when i is even). */
function runSteps(sampler: PromptSampler, batch: number, from: number, steps: number): Step[] {
  const out: Step[] = [];
  for (let step = from; step < from + steps; step++) {
    const picked = sampler.next(batch, step);
    out.push({ ids: picked.map((p) => p.sample.id), rollouts: picked.map((p) => p.rollouts) });
    sampler.observe?.(picked.map((p) => ({ sampleId: p.sample.id, rewards: [Number(p.sample.id.slice(1)) % 2 === 0 ? 1 : 0, 0] })));
  }
  return out;
}

/**
 * The behavioural kit of kind `sampler`: `next(n)` gives n items of the dataset (deep-frozen) with
 * positive integer rollouts; determinism under a seed; an instance restored from `state` continues
 * exactly like the original.
 */
export function runSamplerKit(def: AnyPluginDefinition, kit: SamplerKitOptions = {}): void {
  const dataset = deepFreeze(kit.dataset ?? defaultDataset());
  const batch = kit.batch ?? 4;
  const steps = kit.steps ?? 4;
  const make = () => {
    const s = instantiate<PromptSampler>(def, kit.valid ?? {}, kit);
    s.setDataset(dataset);
    return s;
  };
  describeKit(def, 'sampler', kit, () => {
    check(kit, 'shape', `next(${batch}) gives ${batch} samples of the dataset with positive integer rollouts`, () => {
      const ids = new Set(dataset.map((s) => s.id));
      for (const step of runSteps(make(), batch, 0, steps)) {
        expect(step.ids).toHaveLength(batch);
        for (const id of step.ids) expect([id, ids.has(id)]).toEqual([id, true]);
        for (const r of step.rollouts) if (r !== undefined) expect(Number.isInteger(r) && r > 0).toBe(true);
      }
    });

    check(kit, 'determinism', 'two instances with the same seed pick the same samples', () => {
      expect(runSteps(make(), batch, 0, steps)).toEqual(runSteps(make(), batch, 0, steps));
    });

    if (typeof probe<PromptSampler>(def, kit.valid ?? {}, kit).state === 'function') {
      check(kit, 'resume', 'an instance restored from state continues exactly like the original', () => {
        const a = make();
        runSteps(a, batch, 0, 2);
        const b = make();
        b.loadState!(JSON.parse(JSON.stringify(a.state!())));
        expect(runSteps(b, batch, 2, steps)).toEqual(runSteps(a, batch, 2, steps));
      });
    }
  });
}

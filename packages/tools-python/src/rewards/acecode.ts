import { randomUUID } from 'node:crypto';
import { definePlugin, parseOptions, policyText, type RewardOutputWithFailures, type Sample, type Trajectory } from '@tirl/core';
import { z } from 'zod';
import { pythonToolOptions } from '../options';
import { PythonTool } from '../python-tool';
import { harness, readMeasurement, type Measurement } from './acecode-harness';

const ORIGIN = 'reward/acecode';

/** The last fenced ```python (or bare ```) block of the text; undefined when there is none. */
export function lastCodeBlock(text: string): string | undefined {
  const blocks = [...text.matchAll(/```(?:python|py)?[^\n]*\n([\s\S]*?)```/g)];
  return blocks.at(-1)?.[1];
}

/** R for code that passed every test: 0.5 + 0.5·min(E_ref / E_gen, cap). */
export function efficiencyReward(referenceCost: number, candidateCost: number, cap: number): number {
  const ratio = referenceCost / Math.max(candidateCost, Number.MIN_VALUE);
  return 0.5 + 0.5 * Math.min(ratio, cap);
}

function testsOf(sample: Sample | undefined, key: string): string {
  const v = sample?.meta?.[key];
  if (typeof v === 'string' && v.trim()) return v;
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string')) return v.join('\n');
  throw new Error(`${ORIGIN}: sample "${sample?.id}" needs meta.${key}: Python test code (a string or a list of assert lines)`);
}

/**
 * ACECode's training-free rewarder: the generated code is run against the sample's tests in the Python
 * sandbox; code that passes all of them is rewarded by its runtime relative to a reference solution,
 * 0.5 + 0.5·min(E_ref/E_gen, cap); code that fails tests or does not run gets fixed scores. Runtime is
 * the number of executed solution lines (`sys.settrace`, deterministic) or the median wall time of repeats.
 */
export const acecode = definePlugin({
  kind: 'reward',
  name: 'acecode',
  summary: 'ACECode efficiency-and-correctness reward: code run on the sample tests in the Python sandbox; passing code gets 0.5 + 0.5·min(E_ref/E_gen, cap)',
  paper: {
    title: 'ACECode: A Reinforcement Learning Framework for Aligning Code Efficiency and Correctness in Code Language Models',
    arxiv: '2412.17264',
    section: '3.2 (training-free rewarder: compile status, test results, runtime against the reference); failure rewards and cap unverified',
  },
  options: z
    .object({
      /** `lines`: executed lines of the solution (deterministic); `wall`: median wall time of `repeats` runs. */
      runtime: z.enum(['lines', 'wall']).default('lines'),
      repeats: z.number().int().min(1).max(50).default(5),
      /** Upper bound of E_ref/E_gen (code faster than the reference scores at most 0.5 + 0.5·cap). */
      cap: z.number().positive().default(1),
      /** Reward of code that runs but fails a test (unverified in the paper). */
      failedTests: z.number().default(0),
      /** Reward of code that is missing or does not even define (syntax error, exception at definition). */
      notExecutable: z.number().default(-1),
      /** `meta` keys of the sample's tests and reference solution. */
      testsKey: z.string().min(1).default('tests'),
      referenceKey: z.string().min(1).default('reference'),
      /** Sandbox limits (options of `tool/python`). */
      timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
      poolSize: z.number().int().min(0).max(16).default(1),
    })
    .strict(),
  create(o) {
    const tool = new PythonTool(parseOptions('tool/python', pythonToolOptions, { timeoutMs: o.timeoutMs, poolSize: o.poolSize, maxSessions: Math.max(2, o.poolSize) }));
    const referenceCost = new Map<string, number>();
    let calls = 0;
    const measure = async (source: string, tests: string): Promise<Measurement> => {
      const id = `acecode-${calls++}`;
      const marker = `ACECODE_${randomUUID().replace(/-/g, '')}:`;
      try {
        const res = await tool.call({ code: harness(source, tests, o.runtime, o.repeats, marker) }, { trajectoryId: id, rootId: id, turn: 0, timeoutMs: o.timeoutMs });
        return readMeasurement(res.observation, marker) ?? { status: 'error', message: res.observation.slice(0, 200) };
      } finally {
        await tool.release(id);
      }
    };
    const reference = async (sample: Sample | undefined, tests: string): Promise<number> => {
      const key = sample!.id;
      const hit = referenceCost.get(key);
      if (hit !== undefined) return hit;
      const src = sample?.meta?.[o.referenceKey];
      if (typeof src !== 'string') throw new Error(`${ORIGIN}: sample "${key}" needs meta.${o.referenceKey}: the reference solution's Python source`);
      const m = await measure(src, tests);
      if (m.status !== 'passed') throw new Error(`${ORIGIN}: the reference solution of sample "${key}" does not pass its tests (${m.message ?? m.status})`);
      referenceCost.set(key, m.cost!);
      return m.cost!;
    };
    const scoreOne = async (t: Trajectory, sample: Sample | undefined): Promise<{ score: number; components: Record<string, number> }> => {
      const tests = testsOf(sample, o.testsKey);
      const code = lastCodeBlock(policyText(t));
      if (code === undefined) return { score: o.notExecutable, components: { passed: 0, executable: 0 } };
      const ref = await reference(sample, tests);
      const m = await measure(code, tests);
      if (m.status === 'error') return { score: o.notExecutable, components: { passed: 0, executable: 0 } };
      if (m.status === 'failed') return { score: o.failedTests, components: { passed: 0, executable: 1 } };
      return { score: efficiencyReward(ref, m.cost!, o.cap), components: { passed: 1, executable: 1, runtime_ratio: ref / Math.max(m.cost!, Number.MIN_VALUE) } };
    };
    return {
      async score(input): Promise<RewardOutputWithFailures> {
        const results: { score: number; components?: Record<string, number>; failure?: string }[] = [];
        for (const t of input.trajectories) {
          const root = t.parentId === undefined ? t : input.trajectories.find((x) => x.id === t.rootId);
          try {
            results.push(root ? await scoreOne(root, input.samples.get(root.sampleId)) : { score: NaN, failure: `${ORIGIN}: root of "${t.id}" is not in the batch` });
          } catch (e) {
            results.push({ score: NaN, failure: e instanceof Error ? e.message : String(e) });
          }
        }
        const keys = [...new Set(results.flatMap((r) => Object.keys(r.components ?? {})))];
        const components = Object.fromEntries(keys.map((k) => [k, results.map((r) => r.components?.[k] ?? NaN)]));
        const failures = results.map((r) => r.failure);
        return { scores: results.map((r) => r.score), ...(keys.length ? { components } : {}), ...(failures.some(Boolean) ? { failures } : {}) };
      },
      dispose: () => tool.dispose(),
    };
  },
});

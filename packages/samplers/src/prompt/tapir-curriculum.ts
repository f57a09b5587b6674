import { definePlugin, type Sample } from '@tirl/core';
import { z } from 'zod';
import { restoreRng } from '../util/rng-state';
import { scheduleSchema, scheduleValue } from '../util/schedule';

/** Largest-remainder split of `n` draws over weighted keys (ties: the earlier key). */
export function apportion(n: number, weights: readonly [string, number][]): Map<string, number> {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const exact = weights.map(([k, w]) => [k, total > 0 ? (n * w) / total : 0] as const);
  const out = new Map(exact.map(([k, x]) => [k, Math.floor(x)]));
  let left = n - [...out.values()].reduce((s, x) => s + x, 0);
  const byRemainder = [...exact].map(([k, x], i) => ({ k, r: x - Math.floor(x), i })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let j = 0; left > 0; j = (j + 1) % byRemainder.length, left--) out.set(byRemainder[j].k, out.get(byRemainder[j].k)! + 1);
  return out;
}

/** Model Fitting Difficulty: judge score of the teacher's answer minus that of the student's. */
export function modelFittingDifficulty(teacherScore: number, studentScore: number): number {
  return teacherScore - studentScore;
}

interface Stats {
  n: number;
  solved: number;
}

/**
 * TAPIR's task-aware curriculum as a prompt sampler: each step's prompts are split over task types by the
 * target ratio, and within a type a share α(step) of them come from the hard seeds (MFD > δ), a share that
 * grows over training. MFD = S(teacher) − S(student) from `meta` (the paper's judge scores), or, for RL
 * without a teacher, 1 − the prompt's observed pass rate (`difficulty: pass-rate`).
 */
export const tapirCurriculum = definePlugin({
  kind: 'sampler',
  name: 'tapir-curriculum',
  summary: 'TAPIR task-aware curriculum: per-step prompts split over task types by a target ratio, a growing share drawn from hard seeds (MFD > δ)',
  paper: {
    title: 'Distilling Instruction-following Abilities of Large Language Models with Task-aware Curriculum Planning',
    arxiv: '2405.13448',
    section: '3.1 (MFD = S(teacher) − S(student), seeds with MFD > δ), 3.2 (task-aware resampling, curriculum rounds); δ, ratios and α schedule unverified',
  },
  options: z
    .object({
      /** Where difficulty comes from: judge scores in `meta` (MFD), or 1 − the observed pass rate. */
      difficulty: z.enum(['mfd', 'pass-rate']).default('mfd'),
      /** δ: a prompt is hard when its difficulty is > δ (MFD on the judge's scale, or 1 − pass rate). */
      threshold: z.number().default(3),
      teacherKey: z.string().min(1).default('teacherScore'),
      studentKey: z.string().min(1).default('studentScore'),
      /** `meta` key of the task type. */
      taskKey: z.string().min(1).default('task'),
      /** Target share of each task type (normalised); types not listed get `otherWeight`. Empty = equal shares. */
      taskWeights: z.record(z.string(), z.number().min(0)).default({}),
      otherWeight: z.number().min(0).default(1),
      /** α(step): share of hard prompts, growing over the curriculum. */
      hardShare: scheduleSchema.default({ start: 0.3, end: 0.7, steps: 100, shape: 'linear' }),
    })
    .strict(),
  create(o, ctx) {
    let byTask = new Map<string, Sample[]>();
    const stats = new Map<string, Stats>();
    const taskOf = (s: Sample) => String(s.meta?.[o.taskKey] ?? 'default');
    const difficultyOf = (s: Sample): number => {
      if (o.difficulty === 'pass-rate') {
        const st = stats.get(s.id);
        return st && st.n > 0 ? 1 - st.solved / st.n : 1;
      }
      const t = s.meta?.[o.teacherKey];
      const u = s.meta?.[o.studentKey];
      if (typeof t !== 'number' || typeof u !== 'number') {
        throw new Error(`sampler/tapir-curriculum: sample "${s.id}" needs numeric meta.${o.teacherKey} and meta.${o.studentKey} (or difficulty: "pass-rate")`);
      }
      return modelFittingDifficulty(t, u);
    };
    const draw = (pool: Sample[], k: number): Sample[] => {
      const out: Sample[] = [];
      while (out.length < k && pool.length) out.push(...ctx.rng.shuffle(pool).slice(0, k - out.length));
      return out;
    };
    return {
      setDataset(list) {
        byTask = new Map();
        for (const s of list) {
          const k = taskOf(s);
          (byTask.get(k) ?? byTask.set(k, []).get(k)!).push(s);
          if (o.difficulty === 'mfd') difficultyOf(s);
        }
      },
      next(n, step) {
        const weights = [...byTask.keys()].map((k): [string, number] => [k, Object.keys(o.taskWeights).length ? (o.taskWeights[k] ?? o.otherWeight) : 1]);
        const counts = apportion(n, weights);
        const alpha = scheduleValue(o.hardShare, step);
        const out: { sample: Sample }[] = [];
        for (const [task, count] of counts) {
          const pool = byTask.get(task)!;
          const hard = pool.filter((s) => difficultyOf(s) > o.threshold);
          const easy = pool.filter((s) => difficultyOf(s) <= o.threshold);
          const wantHard = Math.round(alpha * count);
          const hardPicks = draw(hard.length ? hard : easy, wantHard);
          const easyPicks = draw(easy.length ? easy : hard, count - wantHard);
          for (const sample of [...hardPicks, ...easyPicks]) out.push({ sample });
        }
        return out;
      },
      observe(results) {
        for (const r of results) {
          const st = stats.get(r.sampleId) ?? { n: 0, solved: 0 };
          st.n += r.rewards.length;
          st.solved += r.rewards.filter((x) => x > 0).length;
          stats.set(r.sampleId, st);
        }
      },
      state: () => ({ rng: [...ctx.rng.state()], stats: [...stats.entries()] }),
      loadState(s) {
        const st = s as { rng?: unknown; stats?: [string, Stats][] } | undefined;
        restoreRng(ctx.rng, st?.rng);
        stats.clear();
        for (const [k, v] of st?.stats ?? []) stats.set(k, { ...v });
      },
    };
  },
});

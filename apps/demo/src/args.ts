import { parseArgs } from 'node:util';
import type { BackendName } from '@tirl/core';
import { parseSeeds } from './rl/seed-stats';
import { DEFAULT_OPTIONS, QUICK_OPTIONS, TASK_DEFAULTS, type DemoOptions } from './demo';

export const USAGE = `Usage: npm start -- [options]
  --quick            small run (under two minutes)
  --task <name>      search (default), multihop, multihop-matpo, matpo (MATPO vs single agent), arithmetic
  --recipe <name>    a built-in method, run at the demo's scale on the task: grpo (default), dapo,
                     rloo, dr-grpo, gspo, otc-po, matpo (with multihop-matpo), ... (tirl recipes lists them)
  --method <name>    the same as --recipe
  --steps <n>        RL steps
  --sft-steps <n>    SFT warm-start steps
  --needless-calls <share>  arithmetic: share of easy questions the teacher answers with a needless
                     python call (default 0), so that --recipe otc-po has calls to remove
  --teacher-guesses <share>  search: share of questions on the names it is unsure of (initials B D F G K L)
                     that the teacher answers 'unknown' without searching (default 0.75)
  --entities <n>     questions (entities) the task generates (default 4000; --quick 200)
  --seed <n>         seed (default 1)
  --seeds <list>     several seeds, e.g. 1,2,3,4,5: one run each, then per-seed and mean ± std of the RL gain
  --compare matpo    MATPO vs single agent (the same as --task matpo); with --seeds, one table over the seeds
  --compat <mode>    MATPO: paper (default) or released-code
  --eval-every <n>   evaluate held-out and validation accuracy every n RL steps (default 10; 0: before/after only)
  --validation <n>   training questions set aside to choose the kept checkpoint (default 64; 0: keep the last)
  --min-gain <x>     validation gain a later checkpoint needs to be kept (default 0.02)
  --patience <n>     stop RL after n evaluations without a kept checkpoint (default 0: never)
  --backend <name>   preferred tensor backend (e.g. wasm, cpu)
  --force-backend    fail unless --backend starts
  --out <dir>        run folder (default runs/demo)
  --help`;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`demo: --${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

function share(flag: string, value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x >= 0 && x <= 1)) throw new Error(`demo: --${flag} must be a number in [0, 1], got "${value}"`);
  return x;
}

const COMPAT = ['paper', 'released-code'] as const;

/** Demo options from command-line arguments (with the seeds of `--seeds`); undefined for --help. */
export function parseDemoArgs(argv: readonly string[]): (DemoOptions & { seeds?: number[] }) | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      task: { type: 'string' },
      recipe: { type: 'string' },
      method: { type: 'string' },
      steps: { type: 'string' },
      'sft-steps': { type: 'string' },
      'needless-calls': { type: 'string' },
      'teacher-guesses': { type: 'string' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      entities: { type: 'string' },
      compare: { type: 'string' },
      compat: { type: 'string' },
      'eval-every': { type: 'string' },
      validation: { type: 'string' },
      'min-gain': { type: 'string' },
      patience: { type: 'string' },
      backend: { type: 'string' },
      'force-backend': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  if (values.compare !== undefined && values.compare !== 'matpo') throw new Error(`demo: --compare takes "matpo" (MATPO vs single agent), got "${values.compare}"`);
  if (values.compare && values.task && values.task !== 'matpo') throw new Error(`demo: --compare matpo runs the two-hop task; it does not combine with --task ${values.task}`);
  const task = values.compare ? 'matpo' : (values.task ?? DEFAULT_OPTIONS.task);
  const o: DemoOptions & { seeds?: number[] } = { ...DEFAULT_OPTIONS, ...TASK_DEFAULTS[task], ...(values.quick ? QUICK_OPTIONS : {}), task };
  if (values.recipe && values.method && values.recipe !== values.method) throw new Error('demo: give --recipe or --method, not both');
  if (values.recipe ?? values.method) o.recipe = (values.recipe ?? values.method)!;
  o.steps = positiveInt('steps', values.steps) ?? o.steps;
  o.sftSteps = positiveInt('sft-steps', values['sft-steps']) ?? o.sftSteps;
  o.seed = positiveInt('seed', values.seed) ?? o.seed;
  o.entities = positiveInt('entities', values.entities) ?? o.entities;
  if (values.seeds !== undefined) {
    if (values.seed !== undefined) throw new Error('demo: give --seed or --seeds, not both');
    o.seeds = parseSeeds(values.seeds);
  }
  if (values.compat !== undefined) {
    if (!(COMPAT as readonly string[]).includes(values.compat)) throw new Error(`demo: --compat takes ${COMPAT.join(' or ')}, got "${values.compat}"`);
    o.compat = values.compat as DemoOptions['compat'];
  }
  o.evalEvery = positiveInt('eval-every', values['eval-every']) ?? o.evalEvery;
  o.validation = positiveInt('validation', values.validation) ?? o.validation;
  o.patience = positiveInt('patience', values.patience) ?? o.patience;
  if (values['min-gain'] !== undefined) o.minGain = share('min-gain', values['min-gain']);
  if (values['needless-calls'] !== undefined) {
    if (task !== 'arithmetic') throw new Error(`demo: --needless-calls applies to --task arithmetic only, not "${task}"`);
    o.needlessCallShare = share('needless-calls', values['needless-calls']);
  }
  if (values['teacher-guesses'] !== undefined) {
    if (task !== 'search') throw new Error(`demo: --teacher-guesses applies to --task search only, not "${task}"`);
    o.guessShare = share('teacher-guesses', values['teacher-guesses']);
  }
  if (values.out) o.out = values.out;
  if (values.backend) {
    const name = values.backend as BackendName;
    o.backend = values['force-backend'] ? { force: name } : { prefer: name };
  }
  return o;
}

import { parseArgs } from 'node:util';
import type { BackendName } from '@tirl/core';
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
  --seed <n>         seed (default 1)
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

/** Demo options from command-line arguments; undefined for --help. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions | undefined {
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
      seed: { type: 'string' },
      backend: { type: 'string' },
      'force-backend': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const task = values.task ?? DEFAULT_OPTIONS.task;
  const o: DemoOptions = { ...DEFAULT_OPTIONS, ...TASK_DEFAULTS[task], ...(values.quick ? QUICK_OPTIONS : {}), task };
  if (values.recipe && values.method && values.recipe !== values.method) throw new Error('demo: give --recipe or --method, not both');
  if (values.recipe ?? values.method) o.recipe = (values.recipe ?? values.method)!;
  o.steps = positiveInt('steps', values.steps) ?? o.steps;
  o.sftSteps = positiveInt('sft-steps', values['sft-steps']) ?? o.sftSteps;
  o.seed = positiveInt('seed', values.seed) ?? o.seed;
  if (values['needless-calls'] !== undefined) {
    if (task !== 'arithmetic') throw new Error(`demo: --needless-calls applies to --task arithmetic only, not "${task}"`);
    o.needlessCallShare = share('needless-calls', values['needless-calls']);
  }
  if (values.out) o.out = values.out;
  if (values.backend) {
    const name = values.backend as BackendName;
    o.backend = values['force-backend'] ? { force: name } : { prefer: name };
  }
  return o;
}

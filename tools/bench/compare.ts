/**
 * tirl vs PyTorch eager on the same model and step, in interleaved rounds (tirl, torch, torch, tirl, ...),
 * so both sides see the same machine load. Prints JSON lines: every measurement of every round, then one
 * summary line per metric with both medians and the ratio (time ratio tirl/torch for `*_ms`, throughput
 * ratio tirl/torch otherwise), and the load average.
 *
 * Run: npx tsx tools/bench/compare.ts [--config toy|real] [--rounds 3] [--backend wasm-native] [--sections gemm,train,generate]
 *   [--unfused-head] [--threads N (torch intra-op threads; default all cores, as tirl's native kernels)] [--python /usr/bin/python3]
 * Needs a python with torch (apt-get install -y python3-torch libopenblas0-pthread puts it in /usr/bin/python3;
 * `--python` or `PYTHON` picks the interpreter, default python3).
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

interface Line {
  name: string;
  value: number;
  unit: string;
  backend: string;
  [key: string]: unknown;
}

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const config = option('--config', 'toy');
const rounds = Number(option('--rounds', '3'));
const backend = option('--backend', 'wasm-native');
const sections = option('--sections', 'gemm,train,generate');
const threads = option('--threads', String(os.cpus().length));
const python = option('--python', process.env.PYTHON ?? 'python3');
if (!['toy', 'real'].includes(config)) throw new Error(`--config must be toy or real, got "${config}"`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got "${option('--rounds', '')}"`);

const root = path.resolve(__dirname, '..', '..');
const tirlCommand = [
  'npx', 'tsx', '--conditions=tirl-source', 'packages/policy/bench/policy.ts', '--json', '--config', config, '--backend', backend, '--sections', sections,
  ...(args.includes('--unfused-head') ? ['--unfused-head'] : []),
];
const torchCommand = [python, 'tools/bench/torch-compare.py', '--json', '--config', config, '--sections', sections, '--threads', threads];

function run(command: string[]): Line[] {
  const r = spawnSync(command[0], command.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${command.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
  const missing = lines.find((l) => 'error' in l && !('name' in l));
  if (missing) throw new Error(`${command.join(' ')}: ${String(missing.error)}`);
  return lines;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const results: Record<'tirl' | 'torch', Line[]> = { tirl: [], torch: [] };
for (let round = 0; round < rounds; round++) {
  const order: ('tirl' | 'torch')[] = round % 2 === 0 ? ['tirl', 'torch'] : ['torch', 'tirl'];
  for (const side of order) {
    const lines = run(side === 'tirl' ? tirlCommand : torchCommand);
    for (const line of lines) console.log(JSON.stringify({ round, side, loadavg: os.loadavg()[0], ...line }));
    results[side].push(...lines.filter((l) => !('error' in l)));
  }
}

const names = [...new Set(results.tirl.map((l) => l.name))].filter((n) => results.torch.some((l) => l.name === n));
for (const name of names) {
  const tirl = median(results.tirl.filter((l) => l.name === name).map((l) => l.value));
  const torch = median(results.torch.filter((l) => l.name === name).map((l) => l.value));
  const isTime = name.endsWith('_ms');
  const gflop = results.tirl.find((l) => l.name === name)?.gflop_per_step as number | undefined;
  const peaks = { tirl: median(results.tirl.filter((l) => l.name === 'gemm_gflops').map((l) => l.value)), torch: median(results.torch.filter((l) => l.name === 'gemm_gflops').map((l) => l.value)) };
  const rate = gflop
    ? {
        gflop_per_step: gflop,
        tirl_gflops: Number((gflop / (tirl / 1000)).toFixed(1)),
        torch_gflops: Number((gflop / (torch / 1000)).toFixed(1)),
        tirl_share_of_own_gemm_peak: peaks.tirl ? Number((gflop / (tirl / 1000) / peaks.tirl).toFixed(3)) : undefined,
        torch_share_of_own_gemm_peak: peaks.torch ? Number((gflop / (torch / 1000) / peaks.torch).toFixed(3)) : undefined,
      }
    : {};
  console.log(
    JSON.stringify({
      summary: name,
      config,
      backend,
      rounds,
      unit: results.tirl.find((l) => l.name === name)?.unit,
      tirl_median: tirl,
      torch_median: torch,
      ratio: Number((tirl / torch).toFixed(3)),
      ...rate,
      ratio_means: isTime ? 'tirl time / torch time (lower is better)' : 'tirl throughput / torch throughput (higher is better)',
      loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
      cpus: os.cpus().length,
    }),
  );
}

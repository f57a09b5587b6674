import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, resolveRecipe, type Trajectory } from '@tirl/core';
import { ByteTokenizer } from '@tirl/policy';
import { kindOf, RunFiles, stepRecord, train, TRAJECTORY_LOG_FILE, type StepTrajectories } from '../src';
import { dataset, newModel, testPlugins, testRecipe, tokenizer } from './task';

const limits = { groupsPerStep: 2, maxTokens: 100, maxObservationChars: 10 };
const bytes = new ByteTokenizer();
const ids = (text: string) => bytes.encode(text, { addSpecialTokens: false });

/** prompt "Q?" · tool call "<s>x</s>" at turn 0 · observation "obs" · answer "42" at turn 1 · an injected "~". */
function trajectory(): Trajectory {
  const seg = (source: 'prompt' | 'policy' | 'tool' | 'injected', text: string, turn?: number) => ({
    source,
    role: 'agent',
    tokenIds: ids(text),
    text,
    ...(turn !== undefined ? { turn } : {}),
    ...(source === 'policy' ? { logProbs: ids(text).map(() => -0.5) } : {}),
  });
  return {
    id: 't0',
    sampleId: 's',
    groupId: 's',
    rootId: 't0',
    role: 'agent',
    segments: [seg('prompt', 'Q?'), seg('policy', '<s>x</s>', 0), seg('tool', 'obs', 0), seg('policy', '42', 1), seg('injected', '~', 1)],
    toolCalls: [{ turn: 0, name: 's', args: { q: 'x' }, ok: false, error: 'timeout', observation: 'a very long observation text', latencyMs: 12 }],
    reward: 0.123456,
    rewardComponents: { 'reward/exact-match': 1, 'reward/format': -0.5 },
  };
}

describe('trajectory log lines', () => {
  // Row layout: Q ? | < s > x < / s > | o b s | 4 2 | ~  → offsets 0-1, 2-9, 10-12, 13-14, 15.
  const T = 16;
  const mask = Array.from({ length: T }, (_, i) => ((i >= 2 && i <= 9) || i === 13 || i === 14 ? 1 : 0));
  const advantage = Array.from({ length: T }, (_, i) => (mask[i] ? 0.5 : 0));
  const ratio = Array.from({ length: T }, (_, i) => (mask[i] ? 1 + i / 1000 : 0));

  it('labels each segment by its kind and slices the per-token values at the segment offsets', () => {
    const record = stepRecord(4, [{ id: 'tree', sampleId: 's', nodes: [{ id: 'root', tokenOffset: 2, turn: 0, reason: 'root' }], trajectories: [trajectory()] }], 3, new Map([['t0', { lossMask: mask, advantage, ratio }]]), bytes, limits);
    expect(record).toMatchObject({ format: 'tirl-trajectories', version: 1, step: 4, treesInStep: 3 });
    const t = record.trees[0].trajectories[0];
    expect(t.segments.map((s) => s.kind)).toEqual(['prompt', 'tool_call', 'observation', 'policy', 'fold']);
    expect(t.segments[1].tokens.join('')).toBe('<s>x</s>');
    expect(t.segments[1].lossMask).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(t.segments[2].lossMask).toEqual([0, 0, 0]);
    // "42" sits at offsets 13 and 14: ratio 1 + 13/1000 and 1 + 14/1000.
    expect(t.segments[3].ratio).toEqual([1.013, 1.014]);
    expect(t.segments[3].advantage).toEqual([0.5, 0.5]);
    expect(t.segments[3].logProb).toEqual([-0.5, -0.5]);
    expect(t.segments[0].advantage).toBeUndefined();
    // 4 significant digits; length counts tokens after the prompt (16 − 2).
    expect(t.reward).toBe(0.1235);
    expect(t.length).toBe(14);
    expect(t.trained).toBe(true);
    expect(t.toolCalls[0]).toEqual({ turn: 0, name: 's', args: { q: 'x' }, ok: false, error: 'timeout', observation: 'a very lon… (18 more characters)', latencyMs: 12 });
    expect(t.rewardComponents).toEqual({ 'reward/exact-match': 1, 'reward/format': -0.5 });
  });

  it('cuts a trajectory at maxTokens and counts what it left out; untrained trajectories carry no per-token values', () => {
    const record = stepRecord(0, [{ id: 'tree', sampleId: 's', nodes: [], trajectories: [trajectory()] }], 1, new Map(), bytes, { ...limits, maxTokens: 11 });
    const t = record.trees[0].trajectories[0];
    // 2 prompt + 8 tool-call tokens + 1 of the 3 observation tokens = 11; 2 (observation) + 2 ("42") + 1 ("~") = 5 dropped.
    expect(t.segments.map((s) => s.ids.length)).toEqual([2, 8, 1]);
    expect(t.segments[2].text).toBe('o');
    expect(t.droppedTokens).toBe(5);
    expect(t.trained).toBe(false);
    expect(t.segments[1].lossMask).toBeUndefined();
    expect(t.segments[1].ratio).toBeUndefined();
  });

  it('shows a character split over byte tokens on its first token', () => {
    const t = trajectory();
    // "…" is U+2026, three UTF-8 bytes (E2 80 A6): three byte tokens.
    t.segments[3] = { ...t.segments[3], tokenIds: ids('a…b'), text: 'a…b', logProbs: [0, 0, 0, 0, 0] };
    const record = stepRecord(0, [{ id: 'tree', sampleId: 's', nodes: [], trajectories: [t] }], 1, new Map(), bytes, limits);
    expect(record.trees[0].trajectories[0].segments[3].tokens).toEqual(['a', '…', '', '', 'b']);
  });

  it('calls a tool segment whose calls all spawned sub-agents a sub_agent result', () => {
    const t = trajectory();
    t.toolCalls = [{ ...t.toolCalls[0], ok: true, childId: 't0.c0' }];
    expect(kindOf(t.segments[2], t)).toBe('sub_agent');
    expect(kindOf(t.segments[1], t)).toBe('tool_call');
  });
});

describe('train() writes the trajectory log', () => {
  beforeAll(() => initBackend({ force: 'wasm' }));
  const dir = mkdtempSync(join(tmpdir(), 'tirl-trajectory-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = () => readFileSync(join(dir, TRAJECTORY_LOG_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepTrajectories);

  it('logs groupsPerStep trees per step with GRPO advantages, and a resumed run rewrites the steps it trains again', async () => {
    // Group size 2 and a learning rate far too small to move the weights: the ratio after the update is
    // π(token) recomputed over π(token) at sampling, 1 up to float error; GRPO's advantage for a group of
    // two with rewards a ≠ b is (a − mean)/std with mean (a + b)/2 and sample std |a − b|/√2, i.e. ±1/√2.
    const settings = { ...testRecipe.settings, steps: 2, groupSize: 2, optimizer: { lr: 1e-30 }, trajectoryLog: { groupsPerStep: 1 } };
    const recipe = resolveRecipe({ ...testRecipe, settings });
    await train({ recipe, model: newModel(), tokenizer, dataset, runDir: dir, plugins: testPlugins, progress: false });
    const lines = read();
    expect(lines.map((l) => [l.step, l.trees.length, l.treesInStep])).toEqual([
      [0, 1, 2],
      [1, 1, 2],
    ]);
    for (const line of lines) {
      const ts = line.trees[0].trajectories;
      expect(ts).toHaveLength(2);
      const [a, b] = ts.map((t) => t.reward!);
      for (const t of ts) {
        const policy = t.segments.filter((s) => s.kind === 'policy');
        const adv = policy.flatMap((s) => s.advantage!);
        const ratio = policy.flatMap((s) => s.ratio!);
        expect(policy.flatMap((s) => s.lossMask!).every((m) => m === 1)).toBe(true);
        expect(t.segments.filter((s) => s.kind === 'prompt').flatMap((s) => s.lossMask!).every((m) => m === 0)).toBe(true);
        for (const r of ratio) expect(Math.abs(r - 1)).toBeLessThan(1e-3);
        const expected = a === b ? 0 : Math.sign(t.reward! - (a + b) / 2) / Math.SQRT2;
        for (const x of adv) expect(x).toBeCloseTo(expected, 3);
      }
    }
    // A line of step 2 written before a crash that the last checkpoint (after step 1, i.e. at step 2) does
    // not cover: resuming with 3 steps drops it and writes step 2 again.
    appendFileSync(join(dir, TRAJECTORY_LOG_FILE), '{"step": 2, "stale": true}\n');
    const more = resolveRecipe({ ...testRecipe, settings: { ...settings, steps: 3 } });
    const log: string[] = [];
    await train({ recipe: more, model: newModel(), tokenizer, dataset, runDir: dir, plugins: testPlugins, progress: false, resume: true, log: (l) => log.push(l) });
    expect(read().map((l) => l.step)).toEqual([0, 1, 2]);
    expect(read().every((l) => l.format === 'tirl-trajectories')).toBe(true);
  });

  it('RunFiles reads lines as they are appended, waits for a cut-off line, and starts again when a file shrinks', () => {
    const d = mkdtempSync(join(tmpdir(), 'tirl-run-files-'));
    try {
      writeFileSync(join(d, 'metrics.jsonl'), '{"step":0,"a":1}\n{"step":1,');
      const files = new RunFiles(d);
      expect(files.metricsFrom(0)).toEqual({ rows: [{ step: 0, a: 1 }], next: 1 });
      appendFileSync(join(d, 'metrics.jsonl'), '"a":2}\n');
      expect(files.metricsFrom(1)).toEqual({ rows: [{ step: 1, a: 2 }], next: 2 });
      writeFileSync(join(d, 'metrics.jsonl'), '{"step":0,"a":5}\n');
      expect(files.metricsFrom(2)).toEqual({ rows: [{ step: 0, a: 5 }], next: 1 });
      expect(files.steps()).toEqual([]);
      expect(() => new RunFiles(join(d, 'missing'))).toThrow(/does not exist/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

import { buildBatch, createExperiment, resolveRecipe, Rng, scoreAll, type RewardFunction, type RolloutInput, type Trajectory } from '@tirl/core';
import { ScriptedPolicy, type ScriptCall } from '@tirl/core/testing';
import { tinySearch } from './task';

/**
 * The `toolpo` method (DeepAgent §3.4-3.5) on a scripted two-rollout group: both rollouts answer "Paris"
 * correctly (R_succ = 1 each, so A_succ = 0); rollout A calls the declared `search` tool (tool-format 1),
 * rollout B calls an undeclared `lookup` (tool-format 0). Eq. 5-7 by hand: A_action = R_action − mean =
 * ±0.5, so A = 0 + M·(±0.5): +0.5 exactly on A's action tokens, −0.5 exactly on B's, 0 everywhere else.
 * A also folds (`<fold_thought>`): the fold tag and the memories the policy writes are action tokens too.
 */
const GOOD = '<tool_call>{"name": "search", "arguments": {"query": "France"}}</tool_call>';
const BAD = '<tool_call>{"name": "lookup", "arguments": {"query": "France"}}</tool_call>';
const FOLD = '<fold_thought>';
const MEMORY = '{"m": 1}';

async function rolloutAndAdvantages(fold: boolean) {
  const run = resolveRecipe('toolpo', [{ plugins: [['tool/tiny-search']] }, ['groupSize=2', 'limits.maxTurns=4']]);
  const exp = createExperiment(run, { plugins: [tinySearch] });
  const variant = new Map<number, 'A' | 'B'>();
  const script = (c: ScriptCall) => {
    // The memory instructions of a fold are user turns in a forked row: answer them with a memory.
    if (c.text.includes('as JSON only')) return MEMORY;
    // After the fold, the new row is the prompt plus the memories: answer.
    if (c.text.includes('Memory of previous folded thoughts')) return 'Final answer: Paris';
    const v = variant.get(c.row) ?? (variant.size === 0 ? 'A' : 'B');
    variant.set(c.row, v);
    if (c.rowTurn === 0) return v === 'A' ? GOOD : BAD;
    if (v === 'A' && fold) return FOLD;
    return 'Final answer: Paris';
  };
  const policy = new ScriptedPolicy({ script, logProb: -0.5 });
  const input: RolloutInput = {
    samples: [{ sample: { id: 'q1', messages: [{ role: 'user', content: 'Capital of France?' }], answer: 'Paris' }, rollouts: 2 }],
    policy,
    tools: exp.getAll('tool'),
    toolFormat: exp.get('toolFormat'),
    memory: exp.maybe('memory'),
    decode: { maxNewTokens: 200 },
    limits: { maxTurns: 4, maxTotalTokens: 4000, maxToolCalls: 8, toolTimeoutMs: 1000, concurrency: 4 },
    rng: new Rng(1),
    step: 0,
  };
  const { trees } = await exp.get('rollout').rollout(input);
  const trajectories = trees.flatMap((t) => t.trajectories);
  const rewards = exp.plugins.filter((p) => p.kind === 'reward').map((p) => ({ name: p.definition.name, reward: p.instance as RewardFunction }));
  await scoreAll(rewards, { trajectories, samples: new Map([['q1', input.samples[0].sample]]), step: 0 });
  const batch = buildBatch(trajectories, { padTokenId: policy.tokenizer.padTokenId });
  const scores = Float32Array.from(batch.trajectories, (t) => t?.reward ?? 0);
  const out = exp.get('advantage').compute({ batch, scores });
  const adv = out.advantages.arraySync();
  out.advantages.dispose();
  batch.dispose();
  await exp.dispose();
  return { trajectories, adv, tokenizer: policy.tokenizer };
}

/**
 * Token indices of every occurrence of `piece` after the prompt. The byte tokenizer writes an ASCII
 * character as one token (its byte) and a chat marker as one special token, so the piece's tokens are its
 * bytes, found in the row's ids.
 */
function positionsOf(t: Trajectory, piece: string): number[] {
  const ids = t.segments.flatMap((s) => s.tokenIds);
  const bytes = [...Buffer.from(piece, 'utf8')];
  const promptEnd = t.segments.findIndex((s) => s.source !== 'prompt');
  const out: number[] = [];
  for (let at = t.segments.slice(0, promptEnd).reduce((n, s) => n + s.tokenIds.length, 0); at + bytes.length <= ids.length; ) {
    if (!bytes.every((b, j) => ids[at + j] === b)) {
      at++;
      continue;
    }
    for (let i = at; i < at + bytes.length; i++) out.push(i);
    at += bytes.length;
  }
  return out;
}

/** Token indices of the policy segments after segment `afterIndex` (the memories a fold writes). */
function policyTokensAfter(t: Trajectory, afterIndex: number): number[] {
  const out: number[] = [];
  let offset = 0;
  t.segments.forEach((s, k) => {
    if (k > afterIndex && s.source === 'policy') for (let i = 0; i < s.tokenIds.length; i++) out.push(offset + i);
    offset += s.tokenIds.length;
  });
  return out;
}

function nonZero(row: number[]): number[] {
  return row.flatMap((x, i) => (x !== 0 ? [i] : []));
}

describe('toolpo method: the action advantage lands exactly on tool-call (and fold) tokens', () => {
  it('without folding: +0.5 on the valid call of A, −0.5 on the invalid call of B, 0 elsewhere', async () => {
    const { trajectories, adv, tokenizer } = await rolloutAndAdvantages(false);
    expect(trajectories).toHaveLength(2);
    const text = (t: Trajectory) => tokenizer.decode(t.segments.flatMap((s) => s.tokenIds));
    const [a, b] = trajectories;
    expect(text(a)).toContain(GOOD);
    expect(text(b)).toContain(BAD);

    expect(a.rewardComponents).toMatchObject({ 'reward/exact-match': 1, 'reward/tool-format': 1 });
    expect(b.rewardComponents).toMatchObject({ 'reward/exact-match': 1, 'reward/tool-format': 0 });
    const callA = positionsOf(a, GOOD);
    const callB = positionsOf(b, BAD);
    expect(callA).toHaveLength(GOOD.length);
    expect(nonZero(adv[0])).toEqual(callA);
    expect(nonZero(adv[1])).toEqual(callB);
    for (const i of callA) expect(adv[0][i]).toBeCloseTo(0.5, 6);
    for (const i of callB) expect(adv[1][i]).toBeCloseTo(-0.5, 6);
  });

  it('with folding: the pre-fold piece of A has +0.5 on its call, the fold tag and the memories it wrote', async () => {
    const { trajectories, adv } = await rolloutAndAdvantages(true);
    const byId = new Map(trajectories.map((t, i) => [t.id, i]));
    const piece = trajectories.find((t) => t.meta?.foldPiece === 0)!;
    expect(piece).toBeDefined();
    const rootA = trajectories[byId.get(piece.parentId!)!];
    const rootB = trajectories.find((t) => t.parentId === undefined && t !== rootA)!;
    // The root's post-fold row holds the memory context and the answer: no action tokens, A_succ = 0.
    expect(nonZero(adv[byId.get(rootA.id)!])).toEqual([]);
    const foldAt = piece.segments.findIndex((s) => s.source === 'policy' && (s.text ?? '').includes(FOLD));
    const expected = [...positionsOf(piece, GOOD), ...positionsOf(piece, FOLD), ...policyTokensAfter(piece, foldAt)];
    // Three memories, each its text plus the end-of-sequence token that ended its generation.
    expect(policyTokensAfter(piece, foldAt).length).toBe(3 * (MEMORY.length + 1));
    const row = adv[byId.get(piece.id)!];
    expect(nonZero(row)).toEqual([...new Set(expected)].sort((x, y) => x - y));
    for (const i of expected) expect(row[i]).toBeCloseTo(0.5, 6);
    expect(nonZero(adv[byId.get(rootB.id)!])).toEqual(positionsOf(rootB, BAD));
  });
});

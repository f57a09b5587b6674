import { runPairsKit, ByteTokenizer } from '@tirl/core/testing';
import { Rng, type PairSource, parseOptions, type AnyPluginDefinition, type PairSourceInput } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';
import { groupPairs, mctsStepPairs, offlinePairs, seppoAnchorPairs, treeStepwisePairs, wordOverlap } from '../src';
import { exampleTree } from './trees';

const anchorSamples = [{ id: 'q', messages: [{ role: 'user', content: 'q?' }], preference: { chosen: 'anchor', rejected: 'unused' } }];

runPairsKit(offlinePairs, { invalid: [{ options: { appendEos: 'yes' }, field: 'appendEos' }] });
runPairsKit(treeStepwisePairs, { trees: [exampleTree()], invalid: [{ options: { successThreshold: 'high' }, field: 'successThreshold' }] });
runPairsKit(mctsStepPairs, { trees: [exampleTree()], invalid: [{ options: { overlapLimit: 2 }, field: 'overlapLimit' }] });
runPairsKit(groupPairs, { trees: [exampleTree()], invalid: [{ options: { minGap: -1 }, field: 'minGap' }] });
runPairsKit(seppoAnchorPairs, { trees: [exampleTree()], samples: anchorSamples, invalid: [{ options: { keepPerSample: 0 }, field: 'keepPerSample' }] });

function mine(def: AnyPluginDefinition, input: Partial<PairSourceInput>, options: Record<string, unknown> = {}, source?: PairSource) {
  const s = source ?? (def.create(parseOptions(def.id, def.options, options), testPluginContext(def.id)) as PairSource);
  return s.pairs({ samples: [], step: 0, tokenizer: new ByteTokenizer(), rng: new Rng(0), ...input });
}

describe('pairs/offline', () => {
  it('tokenises prompt (chat template) and responses + EOS; guidance gets 0 on EOS', () => {
    // ByteTokenizer: the prompt is the chat template's rendering; "ok" = bytes [111, 107], "no" = [110, 111], then EOS.
    const tokenizer = new ByteTokenizer();
    const sample = { id: 's', messages: [{ role: 'user', content: 'hi' }], preference: { chosen: 'ok', rejected: 'no', chosenGuidance: [0.5, -1], rejectedGuidance: [2, 3] } };
    const [p] = mine(offlinePairs, { samples: [sample] }).pairs;
    expect(p.promptIds).toEqual(tokenizer.encode(tokenizer.renderChat(sample.messages, { addGenerationPrompt: true })));
    const eos = tokenizer.eosTokenId;
    expect([p.chosenIds, p.rejectedIds]).toEqual([[111, 107, eos], [110, 111, eos]]);
    expect([p.chosenGuidance, p.rejectedGuidance]).toEqual([[0.5, -1, 0], [2, 3, 0]]);
  });

  it('names the sample and field when guidance does not match the tokens', () => {
    const sample = { id: 's7', messages: [{ role: 'user', content: 'hi' }], preference: { chosen: 'ok', rejected: 'no', chosenGuidance: [1] } };
    expect(() => mine(offlinePairs, { samples: [sample] })).toThrow(/sample "s7": preference.chosenGuidance has 1 numbers but the response has 2 tokens/);
  });

  it('names the sample when it has no preference', () => {
    expect(() => mine(offlinePairs, { samples: [{ id: 'x', messages: [{ role: 'user', content: 'q' }] }] })).toThrow(/sample "x" has no "preference"/);
  });
});

describe('pairs/tree-stepwise (TP-LLaMA example tree)', () => {
  it('gives (B ≻ A) at the root and (E ≻ C), (E ≻ D) at B, whose prompt ends with B\'s observation', () => {
    const { pairs } = mine(treeStepwisePairs, { trees: [exampleTree()] });
    expect(pairs.map((p) => [p.promptIds, p.chosenIds, p.rejectedIds])).toEqual([
      [[1, 2], [40, 41], [30, 31]],
      [[1, 2, 40, 41, 90], [70], [50]],
      [[1, 2, 40, 41, 90], [70], [60, 61]],
    ]);
  });

  it('gives nothing when no leaf succeeds', () => {
    expect(mine(treeStepwisePairs, { trees: [exampleTree()] }, { successThreshold: 2 }).pairs).toEqual([]);
  });
});

describe('pairs/mcts-step (iTool selection)', () => {
  it('best vs worst branch by mean leaf reward at each node', () => {
    // Root: branch via nB has value mean(0, 0, 1) = 1/3, branch A 0 → gap 1/3 ≥ 0.1: (B ≻ A).
    // nB: E = 1, C = 0, D = 0 → worst is the last of the value-sorted list (D): (E ≻ D).
    const { pairs } = mine(mctsStepPairs, { trees: [exampleTree()] });
    expect(pairs.map((p) => [p.chosenIds, p.rejectedIds, p.meta?.chosenValue])).toEqual([
      [[40, 41], [30, 31], 1 / 3],
      [[70], [60, 61], 1],
    ]);
    // A value gap of 1/3 is below 0.5: only the nB pair stays.
    expect(mine(mctsStepPairs, { trees: [exampleTree()] }, { valueThreshold: 0.5 }).pairs).toHaveLength(1);
  });

  it('word overlap is |shared words| / min(word counts) (iTool worked example: 1/2)', () => {
    expect(wordOverlap("[get_weather(city='Paris', unit='C')]", "[get_weather(city='Paris', unit='F')]")).toBeCloseTo(0.5);
  });
});

describe('pairs/group', () => {
  it('best (reward 1) vs worst rollout of the group; observations masked out', () => {
    const [p] = mine(groupPairs, { trees: [exampleTree()] }).pairs;
    expect([p.chosenIds, p.chosenMask, p.rejectedIds, p.rejectedMask]).toEqual([
      [40, 41, 90, 70, 91, 80], [1, 1, 0, 1, 0, 1], [40, 41, 90, 60, 61], [1, 1, 0, 1, 1],
    ]);
  });
});

describe('pairs/seppo-anchor', () => {
  it('pairs the anchor with a response kept from this or an earlier step, drawn from the pool', () => {
    const source = seppoAnchorPairs.create(parseOptions(seppoAnchorPairs.id, seppoAnchorPairs.options, { keepPerSample: 5 }), testPluginContext(seppoAnchorPairs.id)) as PairSource;
    const first = mine(seppoAnchorPairs, { trees: [exampleTree()], samples: anchorSamples, step: 0 }, {}, source);
    expect(first.metrics?.['pairs/seppo-anchor/pool_size']).toBe(4);
    const second = mine(seppoAnchorPairs, { trees: [exampleTree()], samples: anchorSamples, step: 1 }, {}, source);
    // 8 responses offered, 5 kept (oldest dropped).
    expect(second.metrics?.['pairs/seppo-anchor/pool_size']).toBe(5);
    expect(second.pairs[0].chosenIds).toEqual([...Buffer.from('anchor'), new ByteTokenizer().eosTokenId]);
    expect(second.pairs[0].promptIds).toEqual([1, 2]);
  });
});

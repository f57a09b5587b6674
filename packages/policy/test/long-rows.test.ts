import { ByteTokenizer, createTinyModel, Policy } from '../src';

// 200k ids: far past the ~120k arguments a spread `push(...ids)` can pass before RangeError.
const N = 200_000;

describe('Policy session rows of any length', () => {
  it('appends 200k ids to a row in one call', () => {
    const tokenizer = new ByteTokenizer();
    const model = createTinyModel({ vocabSize: tokenizer.vocabSize, hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 1);
    const session = new Policy(model, tokenizer, { maxContext: 2 * N }).startSession();
    const row = session.add([65]);
    session.append(row, new Array<number>(N).fill(66));
    expect(session.length(row)).toBe(N + 1);
    session.dispose();
    model.dispose();
  });
});

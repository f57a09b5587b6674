import { appendAll } from '../src';
import { ScriptedPolicy } from '../src/testing';
import { Rng } from '../src';

// 200k items: far past the ~120k arguments a spread `push(...ids)` can pass before RangeError.
const N = 200_000;

describe('token rows of any length', () => {
  it('appendAll appends 200k items in order', () => {
    const target = [1, 2];
    appendAll(target, Array.from({ length: N }, (_, i) => i));
    expect(target.length).toBe(N + 2);
    expect(target.slice(0, 4)).toEqual([1, 2, 0, 1]);
    expect(target.at(-1)).toBe(N - 1);
  });

  it('ScriptedPolicy generates and appends 200k tokens in one call', async () => {
    const policy = new ScriptedPolicy({ script: () => ({ tokens: new Array<number>(N).fill(65) }), maxContext: 3 * N });
    const session = policy.startSession();
    const row = session.add([66]);
    const [res] = await session.generate([row], { maxNewTokens: N }, new Rng(1));
    expect(res.tokenIds.length).toBe(N);
    session.append(row, new Array<number>(N).fill(67));
    expect(session.length(row)).toBe(1 + 2 * N);
  });
});

import { buildBatch, type RolloutStrategy } from '@tirl/core';
import { successiveWindowRollout } from '../src';
import { engineDefaults, makeInput, sample } from './helpers';

describe('rollout/successive-window (T-PPO)', () => {
  it('cuts a response at the window, flags it, and continues it next call with the earlier tokens masked', async () => {
    // The response is "ABCDEFGHIJ"; a window of 6 cuts it after "ABCDEF", the next call writes "GHIJ" and ends.
    const { input, policy } = makeInput((c) => (c.text.endsWith('ABCDEF') ? 'GHIJ' : 'ABCDEFGHIJ'));
    input.samples = [{ sample: sample('q1'), rollouts: 1 }];
    input.decode = { maxNewTokens: 100 };
    const plugin = successiveWindowRollout.create({ ...engineDefaults, window: 6, maxPending: 10, flagKey: 'windowTruncated' }, {} as never) as RolloutStrategy & {
      state(): { pending: unknown[] };
    };
    const first = await plugin.rollout(input);
    const [cut] = first.trees.flatMap((t) => t.trajectories);
    expect(cut.finishReason).toBe('length');
    expect(cut.meta?.windowTruncated).toBe(true);
    expect(cut.segments.filter((s) => s.source === 'policy').map((s) => s.text)).toEqual(['ABCDEF']);
    expect(plugin.state().pending).toHaveLength(1);

    // Next call: no new sample; the pending response continues and the sample is handed back for scoring.
    const second = await plugin.rollout({ ...input, samples: [], step: 1 });
    const [done] = second.trees.flatMap((t) => t.trajectories);
    expect(done.finishReason).toBe('stop');
    expect(done.meta?.windowTruncated).toBeUndefined();
    expect(done.id).toBe(`${cut.id}~w1`);
    expect(done.segments.filter((s) => s.source === 'policy').map((s) => s.text)).toEqual(['ABCDEF', 'GHIJ']);
    expect(second.samples?.map((s) => s.id)).toEqual(['q1']);
    expect(plugin.state().pending).toHaveLength(0);
    // Only "GHIJ" + EOS train: the prompt and the first window are the masked prefix.
    const promptLen = done.segments[0].tokenIds.length;
    expect(done.sharedPrefixLength).toBe(promptLen + 6);
    const batch = buildBatch([done], { padTokenId: policy.tokenizer.padTokenId });
    expect(batch.lossMaskValues.reduce((a, b) => a + b, 0)).toBe(5);
    batch.dispose();
  });
});

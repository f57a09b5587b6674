import { runRolloutKit } from '@tirl/core/testing';
import { policyAugmentedRollout, withPolicyDocument } from '../src';
import { engineDefaults, makeInput, sample } from './helpers';

runRolloutKit(policyAugmentedRollout, {
  valid: { document: 'Always answer in one word.' },
  invalid: [{ options: { share: 1.5 }, field: 'share' }, { options: { template: 'no slot' }, field: 'template' }],
});

const create = (over: Record<string, unknown> = {}) =>
  policyAugmentedRollout.create({ ...engineDefaults, countSharedOnce: true, share: 0.5, documentKey: 'policy', template: 'POLICY: {policy}', ...over } as never, {} as never);

describe('rollout/policy-augmented (TriMPI PolicyRollout)', () => {
  it('puts the document in a new system message, or in front of an existing one', () => {
    expect(withPolicyDocument(sample(), 'be brief', 'P: {policy}').messages[0]).toEqual({ role: 'system', content: 'P: be brief' });
    const withSystem = { ...sample(), messages: [{ role: 'system', content: 'You help.' }, { role: 'user', content: 'q' }] };
    expect(withPolicyDocument(withSystem, 'be brief', 'P: {policy}').messages[0].content).toBe('P: be brief\n\nYou help.');
  });

  it('4 rollouts at share 0.5: 2 plain, 2 generated with the document, all trained on the plain prompt in one group', async () => {
    // The script answers "yes" when the row's context holds the document and "no" otherwise, so the
    // generated text shows which context each row was sampled in.
    const { input, policy } = makeInput(({ text }) => (text.includes('POLICY: say yes') ? 'yes' : 'no'), {
      samples: [{ sample: { ...sample(), meta: { policy: 'say yes' } }, rollouts: 4 }],
      tools: [],
    });
    const out = await create().rollout(input);
    const all = out.trees.flatMap((t) => t.trajectories);
    expect(all.map((t) => t.segments.at(-1)!.text)).toEqual(['no', 'no', 'yes', 'yes']);
    expect(all.map((t) => t.meta?.policyAware === true)).toEqual([false, false, true, true]);
    expect(new Set(all.map((t) => t.groupId))).toEqual(new Set(['q1']));
    // Every row's prompt is the plain prompt: the document never reaches a training row.
    const plainPrompt = all[0].segments[0].tokenIds;
    for (const t of all) expect(t.segments[0].tokenIds).toEqual(plainPrompt);
    expect(policy.tokenizer.decode(plainPrompt)).not.toContain('POLICY');
    // The document rows were sampled in a longer context (document + prompt): their first generation saw it.
    const contexts = policy.emissions.map((e) => policy.tokenizer.decode(e.context));
    expect(contexts.filter((c) => c.includes('POLICY: say yes'))).toHaveLength(2);
  });

  it('a sample without a document and no document option is an error naming the key', async () => {
    const { input } = makeInput(() => 'no', { samples: [{ sample: sample(), rollouts: 2 }], tools: [] });
    await expect(create().rollout(input)).rejects.toThrow(/sample "q1" has no meta\.policy and no "document" option/);
  });

  it('one rollout stays plain: G = 1 gives no document rollout; share 1 of 3 gives 1 plain, 2 with it', async () => {
    const { input } = makeInput(() => 'x', { samples: [{ sample: sample(), rollouts: 3 }], tools: [] });
    const out = await create({ share: 1, document: 'd' }).rollout(input);
    expect(out.trees.flatMap((t) => t.trajectories).map((t) => t.meta?.policyAware === true)).toEqual([false, true, true]);
  });
});

import { buildBatch, type Trajectory } from '@tirl/core';
import { runRolloutKit } from '@tirl/core/testing';
import { a2fmApoRollout, chosenMode } from '../src';
import { engineDefaults, makeInput, sample } from './helpers';

runRolloutKit(a2fmApoRollout, {
  valid: { rho: 1, gamma: 1 },
  rollouts: 4,
  invalid: [
    { options: { rho: 0 }, field: 'rho' },
    { options: { gamma: -1 }, field: 'gamma' },
    { options: { prefix: 'no slot' }, field: 'prefix' },
    { options: { modes: ['a', 'a'] }, field: 'modes' },
  ],
});

const MODES = ['default_agent', 'reasoning_agent', 'toolcalling_agent'];
const create = (over: Record<string, unknown> = {}) =>
  a2fmApoRollout.create(
    { ...engineDefaults, countSharedOnce: true, modes: MODES, rho: 1, gamma: 2, prefix: '<classification> {mode} </classification>\n', modeTag: 'classification', ...over } as never,
    {} as never,
  );

/** A forced row answers with its injected mode; an adaptive row writes its own tag (reasoning_agent, then an unknown one). */
const script = ({ text, row }: { text: string; row: number }) => {
  const forced = /<classification> (\w+) <\/classification>\n$/.exec(text);
  if (forced) return `<answer>${forced[1]}</answer>`;
  return row % 2 === 0 ? '<classification> reasoning_agent </classification><answer>r</answer>' : '<classification> other_agent </classification><answer>o</answer>';
};

describe('rollout/a2fm-apo (A²FM APO rollout)', () => {
  async function roll() {
    const { input, policy } = makeInput(script, { samples: [{ sample: sample(), rollouts: 5 }], tools: [] });
    const out = await create().rollout(input);
    return { out, policy, all: out.trees.flatMap((t) => t.trajectories) };
  }

  it('ρ = 1, γ = 2: three forced rollouts in mode order, then two adaptive, all in one tree and group', async () => {
    const { out, all } = await roll();
    expect(out.trees).toHaveLength(1);
    expect(new Set(all.map((t) => t.groupId))).toEqual(new Set(['q1']));
    expect(all.map((t) => t.meta?.forced)).toEqual([true, true, true, false, false]);
    expect(all.slice(0, 3).map((t) => t.meta?.mode)).toEqual(MODES);
  });

  it('the forced prefix is injected as token ids after the prompt, the policy continues after it, and it is not trained', async () => {
    const { all, policy } = await roll();
    const prefixIds = policy.tokenizer.encode('<classification> reasoning_agent </classification>\n', { addSpecialTokens: false });
    const forced = all[1];
    expect(forced.segments.map((s) => s.source)).toEqual(['prompt', 'injected', 'policy']);
    expect(forced.segments[1].tokenIds).toEqual(prefixIds);
    expect(forced.segments[2].text).toBe('<answer>reasoning_agent</answer>');
    // The row the policy generated in ended with the prefix.
    const context = policy.emissions.find((e) => e.tokenIds.length && policy.tokenizer.decode(e.tokenIds).includes('reasoning_agent</answer>'))!.context;
    expect(context.slice(-prefixIds.length)).toEqual(prefixIds);
    // Loss mask: prompt and prefix 0, the generated answer 1.
    const batch = buildBatch([forced]);
    const mask = Array.from(batch.lossMaskValues);
    const promptLen = forced.segments[0].tokenIds.length;
    expect(mask.slice(0, promptLen + prefixIds.length).every((m) => m === 0)).toBe(true);
    expect(mask.slice(promptLen + prefixIds.length).filter((m) => m === 1)).toHaveLength(forced.segments[2].tokenIds.length);
    batch.dispose();
  });

  it('an adaptive rollout\'s own tag is policy output, so it is trained; its mode is recorded only when known', async () => {
    const { all } = await roll();
    const adaptive = all.slice(3);
    for (const t of adaptive) {
      expect(t.segments.map((s) => s.source)).toEqual(['prompt', 'policy']);
      expect(t.segments[1].text).toMatch(/^<classification> \w+ <\/classification>/);
      const batch = buildBatch([t]);
      const mask = Array.from(batch.lossMaskValues);
      const promptLen = t.segments[0].tokenIds.length;
      // Every generated token, the tag's first `<` included, is on the loss mask.
      expect(mask.slice(promptLen, promptLen + t.segments[1].tokenIds.length).every((m) => m === 1)).toBe(true);
      batch.dispose();
    }
    const modes = adaptive.map((t) => t.meta?.mode);
    expect(modes.sort()).toEqual(['reasoning_agent', undefined].sort());
  });

  it('chosenMode reads the leading tag only, and only a known mode', () => {
    const t = (text: string) => ({ segments: [{ source: 'policy', role: 'agent', tokenIds: [1], text }] }) as unknown as Trajectory;
    expect(chosenMode(t('<classification>Default_Agent</classification> x'), 'classification', MODES)).toBe('default_agent');
    expect(chosenMode(t('think first <classification>default_agent</classification>'), 'classification', MODES)).toBeUndefined();
    expect(chosenMode(t('<classification>fast</classification>'), 'classification', MODES)).toBeUndefined();
  });

  it('a group size that is not |modes|·ρ + γ is an error naming groupSize and the fix', async () => {
    const { input } = makeInput(script, { samples: [{ sample: sample(), rollouts: 4 }], tools: [] });
    await expect(create().rollout(input)).rejects.toThrow(/asks for 4 rollouts, but a group is 3 modes × rho 1 forced \+ gamma 2 adaptive = 5\. Set groupSize=5/);
  });
});

import { segmentImage, type PolicyGenerator, type PolicySession, type SegmentImage } from '@tirl/core';
import { linearRollout } from '../src';
import { call, echoTool, engineDefaults, limits, makeInput } from './helpers';

const linear = () => linearRollout.create({ ...engineDefaults, countSharedOnce: true }, {} as never);

/** A scripted policy whose sessions take images: an image of width w costs w tokens (byte 'I'). */
function withImages(policy: PolicyGenerator): { policy: PolicyGenerator; appended: SegmentImage[] } {
  const appended: SegmentImage[] = [];
  return {
    appended,
    policy: {
      tokenizer: policy.tokenizer,
      maxContext: policy.maxContext,
      startSession(): PolicySession {
        const s = policy.startSession();
        return Object.assign(s, {
          acceptsImages: true,
          imageTokenCost: (im: SegmentImage) => im.width,
          appendImage: (row: number, im: SegmentImage) => {
            const ids = new Array<number>(im.width).fill('I'.charCodeAt(0));
            s.append(row, ids);
            appended.push(im);
            return ids;
          },
        });
      },
    },
  };
}

const image = (w: number) => segmentImage(w, 1, new Uint8Array(w * 3).fill(9));

describe('tool images reach a vision-language policy', () => {
  it('an image observation becomes a masked tool segment carrying the image, after the text', async () => {
    const tool = echoTool('look', () => ({ ok: true, observation: 'cropped', images: [image(5)] }));
    const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? call('look', { query: 'x' }) : 'done'), { tools: [tool] });
    const wrapped = withImages(input.policy);
    const [t] = (await linear().rollout({ ...input, policy: wrapped.policy })).trees[0].trajectories;
    const imageSegs = t.segments.filter((s) => s.images?.length);
    expect(imageSegs).toHaveLength(1);
    expect(imageSegs[0]).toMatchObject({ source: 'tool', tokenIds: [73, 73, 73, 73, 73], images: [image(5)] });
    const at = t.segments.indexOf(imageSegs[0]);
    expect(t.segments[at - 1].text).toContain('cropped');
    expect(wrapped.appended).toHaveLength(1);
  });

  it('caps image tokens per trajectory: an image past the cap is left out with a note', async () => {
    const tool = echoTool('look', () => ({ ok: true, observation: 'img', images: [image(6)] }));
    const { input } = makeInput(({ rowTurn }) => (rowTurn < 2 ? call('look', { query: 'x' }) : 'done'), { tools: [tool], limits: limits({ maxImageTokens: 10 }) });
    const wrapped = withImages(input.policy);
    const [t] = (await linear().rollout({ ...input, policy: wrapped.policy })).trees[0].trajectories;
    expect(t.segments.filter((s) => s.images?.length)).toHaveLength(1);
    expect(t.segments.some((s) => s.text?.includes('image not shown: the image-token cap of 10 per trajectory is reached'))).toBe(true);
  });

  it('a text-only policy sees the text alone', async () => {
    const tool = echoTool('look', () => ({ ok: true, observation: 'cropped', images: [image(5)] }));
    const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? call('look', { query: 'x' }) : 'done'), { tools: [tool] });
    const [t] = (await linear().rollout(input)).trees[0].trajectories;
    expect(t.segments.some((s) => s.images)).toBe(false);
    expect(t.toolCalls[0].observation).toBe('cropped');
  });
});

/**
 * A scripted vision-language policy for prompts: `encodeChat` renders each message as its text preceded by
 * one 'I' byte per image pixel column (a stand-in for an image's token run), and records what `add` got.
 */
function withPromptImages(policy: PolicyGenerator): { policy: PolicyGenerator; added: { ids: readonly number[]; images?: readonly SegmentImage[] }[] } {
  const added: { ids: readonly number[]; images?: readonly SegmentImage[] }[] = [];
  const base = withImages(policy).policy;
  return {
    added,
    policy: {
      ...base,
      tokenizer: policy.tokenizer,
      maxContext: policy.maxContext,
      encodeChat: (messages) => {
        const text = messages.map((m) => `${m.role}: ${'I'.repeat((m.images ?? []).reduce((n, im) => n + im.width, 0))}${m.content}\n`).join('') + 'assistant: ';
        return { ids: policy.tokenizer.encode(text, { addSpecialTokens: false }), text, images: messages.flatMap((m) => m.images ?? []) };
      },
      startSession: () => {
        const s = base.startSession();
        const add = s.add.bind(s);
        return Object.assign(s, {
          add: (ids: readonly number[], images?: readonly SegmentImage[]) => {
            added.push({ ids, images });
            return add(ids);
          },
        });
      },
    },
  };
}

describe('prompt images: a sample’s message images reach a vision-language policy', () => {
  const withPicture = (input: ReturnType<typeof makeInput>['input'], images: SegmentImage[]) => ({
    ...input,
    samples: [{ sample: { id: 'pic', messages: [{ role: 'user', content: 'What colour?', images }] }, rollouts: 1 }],
  });

  it('the prompt row is added with its images, and the prompt segment carries them (masked, never trained)', async () => {
    const { input } = makeInput(() => 'red');
    const wrapped = withPromptImages(input.policy);
    const [t] = (await linear().rollout({ ...withPicture(input, [image(3), image(2)]), policy: wrapped.policy })).trees[0].trajectories;
    const prompt = t.segments[0];
    expect(prompt.source).toBe('prompt');
    expect(prompt.images).toEqual([image(3), image(2)]);
    // The tool description comes first (system), then the user's 3 + 2 image stand-ins before the text.
    expect(prompt.text).toMatch(/user: IIIIIWhat colour\?\nassistant: $/);
    expect(wrapped.added).toEqual([{ ids: prompt.tokenIds, images: [image(3), image(2)] }]);
    expect(t.segments.filter((s) => s.source === 'policy').every((s) => !s.images)).toBe(true);
  });

  it('prompt images do not count against the per-trajectory cap on tool images', async () => {
    const tool = echoTool('look', () => ({ ok: true, observation: 'img', images: [image(6)] }));
    const { input } = makeInput(({ rowTurn }) => (rowTurn === 0 ? call('look', { query: 'x' }) : 'done'), { tools: [tool], limits: limits({ maxImageTokens: 6 }) });
    const wrapped = withPromptImages(input.policy);
    const [t] = (await linear().rollout({ ...withPicture(input, [image(9)]), policy: wrapped.policy })).trees[0].trajectories;
    // Prompt image of 9 tokens, cap 6: the tool's 6-token image still fits.
    expect(t.segments.filter((s) => s.source === 'tool' && s.images?.length)).toHaveLength(1);
  });

  it('a text-only policy refuses a sample with images, naming the sample and the fix', async () => {
    const { input } = makeInput(() => 'red');
    await expect(linear().rollout(withPicture(input, [image(3)]))).rejects.toThrow(
      /sample "pic" shows 1 image\(s\) in its messages, but the policy reads text only\. Train a vision-language model .* or remove "images"/,
    );
  });
});


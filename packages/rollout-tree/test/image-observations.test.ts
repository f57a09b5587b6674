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

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryPlan, VlmConfig } from '../src';

const config = VlmConfig.fromHfConfig(JSON.parse(readFileSync(join(__dirname, 'fixtures', 'tiny-idefics3', 'config.json'), 'utf8')));
const base = { config: config.text, microBatchRows: 1, sequenceLength: 60, rolloutRows: 2, rolloutContext: 60, limitBytes: 2 ** 30, backend: 'cpu' };

describe('the memory plan of a vision-language model', () => {
  it('counts image tokens in every row and the frozen tower with its pass', () => {
    const plan = memoryPlan({ ...base, vision: { config, imageTokensPerRow: 40, imageFramesPerRow: 8 } });
    const textOnly = memoryPlan({ ...base, sequenceLength: 100, rolloutContext: 100 });
    const item = (p: typeof plan, name: string) => p.items.find((i) => i.name === name)!;
    // image tokens lengthen the rows exactly as 40 more text tokens would
    expect(item(plan, 'activations (train)').bytes).toBe(item(textOnly, 'activations (train)').bytes);
    expect(item(plan, 'KV cache + decode (rollout)').bytes).toBe(item(textOnly, 'KV cache + decode (rollout)').bytes);
    // tower by hand (E 16, I 40, patch 8, image 32 → 16 patches, 2 layers, connector 32 × 16·2²):
    // embeddings 16·3·8·8 + 16 + 16·16 = 3344; per layer 4·(16·16+16) + 2·32 + (40·16+40) + (16·40+16) = 2488;
    // post-norm 32; connector 2048 → 3344 + 2·2488 + 32 + 2048 = 10400 floats
    expect(item(plan, 'vision tower (frozen)').bytes).toBe(10400 * 4);
    // pass: 8 frames · 16 patches · (2 · (8·16 + 3·40 + 3·2·16) + 4·16) = 128 · 752 floats
    expect(item(plan, 'vision encoder pass').bytes).toBe(128 * 752 * 4);
    expect(plan.trainableParameters).toBe(textOnly.trainableParameters);
    expect(plan.peakBytes).toBe(textOnly.peakBytes + 10400 * 4 + 128 * 752 * 4);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Idefics3Processor, multiplesOf, resizeToLongest, VlmConfig } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'tiny-idefics3');

describe('Idefics3 processor sizes (transformers image_processing_idefics3.py, by hand)', () => {
  it('longest edge to the target, short edge int() and made even', () => {
    // 50×70 (h×w) → w 64, h = int(64 / (70/50)) = int(45.71) = 45 → odd → 46
    expect(resizeToLongest(50, 70, 64)).toEqual([46, 64]);
    // 40×16 → h 64, w = int(64 · 0.4) = 25 → 26
    expect(resizeToLongest(40, 16, 64)).toEqual([64, 26]);
    // upscaling too: 20×24 → w 64, h = int(64 / 1.2) = 53 → 54
    expect(resizeToLongest(20, 24, 64)).toEqual([54, 64]);
    expect(() => resizeToLongest(10, 10, 4000)).toThrow(/larger than the maximum 1820/);
  });

  it('both sides up to multiples of the tile size, keeping the aspect', () => {
    // 46×64: w = 64, h = ceil(int(64 / (64/46)) / 32) · 32 = ceil(46/32) · 32 = 64
    expect(multiplesOf(46, 64, 32)).toEqual([64, 64]);
    // 64×26: h = 64, w = ceil(int(64 · 26/64) / 32) · 32 = 32
    expect(multiplesOf(64, 26, 32)).toEqual([64, 32]);
  });

  it('expands an image into row/column markers, image-token runs and the global view', () => {
    const p = new Idefics3Processor(Idefics3Processor.load(FIXTURE, 4).config, 2);
    expect(p.imagePrompt(0, 0)).toBe('<fake_token_around_image><global-img><image><image><fake_token_around_image>');
    expect(p.imagePrompt(1, 2)).toBe(
      '<fake_token_around_image><row_1_col_1><image><image><fake_token_around_image><row_1_col_2><image><image>\n\n<fake_token_around_image><global-img><image><image><fake_token_around_image>',
    );
    expect(() => p.expandText('a <image> b <image>', [{ rows: 0, cols: 0 }])).toThrow(/2 <image> tokens but 1 images/);
    expect(p.imageTokens({ frames: 5 })).toBe(10);
  });
});

describe('bad configuration files name the field', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-vlm-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('preprocessor_config.json: an unsupported resample filter or a bad size', () => {
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ resample: 3 }));
    expect(() => Idefics3Processor.load(dir, 4)).toThrow(/preprocessor_config.json: field "resample"/);
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ max_image_size: { longest_edge: -1 } }));
    expect(() => Idefics3Processor.load(dir, 4)).toThrow(/field "max_image_size.longest_edge"/);
  });

  it('config.json: model_type, image_token_id and vision fields', () => {
    const good = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8'));
    expect(() => VlmConfig.fromHfConfig({ ...good, model_type: 'qwen2_vl' })).toThrow(/field "model_type" must be "idefics3" or "smolvlm"/);
    expect(() => VlmConfig.fromHfConfig({ ...good, image_token_id: 10_000 })).toThrow(/field "image_token_id"/);
    expect(() => VlmConfig.fromHfConfig({ ...good, vision_config: { ...good.vision_config, hidden_act: 'relu' } })).toThrow(/vision_config.hidden_act/);
    expect(() => VlmConfig.fromHfConfig({ ...good, scale_factor: 3 })).toThrow(/scale_factor 3 must be an integer dividing the patch grid side 4/);
    const c = VlmConfig.fromHfConfig(good);
    expect(c.imageSeqLen).toBe(4);
    expect(VlmConfig.fromHfConfig(VlmConfig.toHfConfig(c))).toEqual(c);
  });
});

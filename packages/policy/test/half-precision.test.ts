import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatToHalf, loadPretrained, readSafetensors, SafetensorsFile, savePretrained, writeSafetensors } from '../src';
import { maxAbsDiff } from './helpers';

const FIXTURES = join(__dirname, 'fixtures');

/** Raw on-disk bytes of every tensor in a folder's safetensors files. */
function rawTensors(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.safetensors'))) {
    const file = new SafetensorsFile(join(dir, f));
    const fd = require('node:fs').openSync(join(dir, f), 'r');
    for (const [name, info] of file.tensors) {
      const buf = Buffer.alloc(info.end - info.begin);
      require('node:fs').readSync(fd, buf, 0, buf.length, info.begin);
      out.set(name, buf);
    }
    require('node:fs').closeSync(fd);
    file.close();
  }
  return out;
}

describe('half-precision weights', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'policy-half-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rounds F32 to F16 to nearest even (hand-derived bit patterns)', () => {
    // 1 = 0 01111 0000000000 = 0x3c00; 65504 = max half = 0x7bff; 1/3 ≈ 0x3555 (0.33325);
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even → 0x3c00; 1 + 3·2^-11 → 0x3c02;
    // 2^-24 is the smallest subnormal (0x0001); 70000 overflows to +inf (0x7c00); -2 = 0xc000.
    expect([1, 65504, 1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24, 70000, -2].map(floatToHalf)).toEqual([
      0x3c00, 0x7bff, 0x3555, 0x3c00, 0x3c02, 0x0001, 0x7c00, 0xc000,
    ]);
  });

  it('writes BF16 with round-to-nearest-even and reads it back widened', () => {
    // bf16 keeps the top 16 bits of f32: 1 = 0x3f80; 1 + 2^-8 is a tie → even 0x3f80; 1 + 3·2^-8 → 0x3f82
    const path = join(dir, 't.safetensors');
    writeSafetensors(path, { x: { dtype: 'BF16', shape: [3], data: new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8]) } });
    const raw = rawTensors(dir).get('x')!;
    expect([raw.readUInt16LE(0), raw.readUInt16LE(2), raw.readUInt16LE(4)]).toEqual([0x3f80, 0x3f80, 0x3f82]);
    expect([...(readSafetensors(path).get('x')!.data as Float32Array)]).toEqual([1, 1, 1 + 2 ** -6]);
  });

  it.each([
    ['tiny-llama3', 'bfloat16'],
    ['tiny-qwen3', 'float16'],
  ])('%s (%s) saves in its source dtype byte for byte, or in F32 on request', async (name, dtype) => {
    const { model } = await loadPretrained(join(FIXTURES, name));
    expect(model.config.torchDtype).toBe(dtype);
    await savePretrained(join(dir, 'same'), model, undefined, { maxShardBytes: 8000 });
    const source = rawTensors(join(FIXTURES, name));
    const saved = rawTensors(join(dir, 'same'));
    expect([...saved.keys()].sort()).toEqual([...source.keys()].sort());
    for (const [n, bytes] of source) expect(saved.get(n)!.equals(bytes)).toBe(true);
    expect(readdirSync(join(dir, 'same')).filter((f) => f.endsWith('.safetensors')).length).toBeGreaterThan(1);

    await savePretrained(join(dir, 'f32'), model, undefined, { dtype: 'float32' });
    const { model: wide } = await loadPretrained(join(dir, 'f32'));
    expect(wide.config.torchDtype).toBe('float32');
    const ids = tf.tensor2d([[1, 5, 9, 33]], undefined, 'int32');
    const [a, b] = [model.logits(ids), wide.logits(ids)];
    expect(maxAbsDiff(a.arraySync(), b.arraySync())).toBe(0);
    tf.dispose([ids, a, b]);
    model.dispose();
    wide.dispose();
  });
});

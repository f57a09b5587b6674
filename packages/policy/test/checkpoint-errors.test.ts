import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPretrained, loadTokenizer, readSafetensors, writeSafetensors } from '../src';
import { TINY_LLAMA } from './helpers';

/** A copy of the tiny-llama folder, changed by `edit`, in a fresh temp dir. */
function brokenCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-bad-'));
  for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(TINY_LLAMA, f), join(dir, f));
  edit(dir);
  return dir;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function loadError(edit: (dir: string) => void): Promise<{ dir: string; message: string }> {
  const dir = brokenCopy(edit);
  dirs.push(dir);
  const error = await loadPretrained(dir).then(
    () => new Error('loaded without error'),
    (e: Error) => e,
  );
  return { dir, message: error.message };
}

describe('bad checkpoints fail with a message naming the file and the tensor or field', () => {
  it('missing tensor', async () => {
    const { dir, message } = await loadError((d) => {
      const t = readSafetensors(join(d, 'model.safetensors'));
      t.delete('model.layers.1.mlp.up_proj.weight');
      writeSafetensors(join(d, 'model.safetensors'), t);
    });
    expect(message).toContain(join(dir, 'model.safetensors'));
    expect(message).toContain('missing tensor "model.layers.1.mlp.up_proj.weight"');
  });

  it('wrong shape', async () => {
    const { dir, message } = await loadError((d) => {
      const t = readSafetensors(join(d, 'model.safetensors'));
      t.set('model.layers.0.self_attn.k_proj.weight', { dtype: 'F32', shape: [64, 32], data: new Float32Array(64 * 32) });
      writeSafetensors(join(d, 'model.safetensors'), t);
    });
    expect(message).toContain(join(dir, 'model.safetensors'));
    expect(message).toContain('tensor "model.layers.0.self_attn.k_proj.weight" has shape [64,32], expected [32,64]');
  });

  it('truncated file', async () => {
    const { dir, message } = await loadError((d) => truncateSync(join(d, 'model.safetensors'), 300_000));
    expect(message).toContain(join(dir, 'model.safetensors'));
    expect(message).toMatch(/truncated safetensors file: tensor "[^"]+" ends at byte \d+ but the file has 300000/);
  });

  it('unknown architecture', async () => {
    const { dir, message } = await loadError((d) => {
      const config = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      writeFileSync(join(d, 'config.json'), JSON.stringify({ ...config, architectures: ['MistralForCausalLM'], model_type: 'mistral' }));
    });
    expect(message).toContain(join(dir, 'config.json'));
    expect(message).toContain('unknown architecture');
    expect(message).toContain('MistralForCausalLM');
    expect(message).toContain('Supported: LlamaForCausalLM, Qwen2ForCausalLM');
  });

  it('a config field of the wrong type', async () => {
    const { message } = await loadError((d) => {
      const config = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
      writeFileSync(join(d, 'config.json'), JSON.stringify({ ...config, hidden_size: '64' }));
    });
    expect(message).toContain('field "hidden_size" must be a number');
  });

  it('bad tokenizer.json: not JSON, and JSON without a model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-tok-'));
    dirs.push(dir);
    const file = join(dir, 'tokenizer.json');
    writeFileSync(file, '{"version": "1.0", "model": ');
    await expect(loadTokenizer(dir)).rejects.toThrow(`${file}: not valid JSON`);
    writeFileSync(file, JSON.stringify({ version: '1.0', added_tokens: [] }));
    await expect(loadTokenizer(dir)).rejects.toThrow(`${file}: field "model" is missing`);
  });
});

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRecipe } from '@tirl/core';
import { createTinyModel, savePretrained } from '@tirl/policy';
import { train, type TrainOptions } from '../src';
import { readSamples } from '../src/cli/config';
import { main } from '../src/cli/main';
import { dataset, newModel, testPlugins, testRecipe, tokenizer } from './task';

// The exact message a user sees for each bad config, data file or run folder (the CLI prints `error: <message>`).

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tirl-bad-input-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const q = (id: string, messages: unknown) => JSON.stringify({ id, messages, answer: '5' });
const user = [{ role: 'user', content: 'hi' }];

describe('bad data files: readSamples', () => {
  const rows: [string, () => string, (path: string) => string][] = [
    ['a folder instead of a file', () => (mkdirSync(join(dir, 'data-folder'), { recursive: true }), join(dir, 'data-folder')), (p) => `data file ${p} is a folder; give a JSONL file (one {"id", "messages"} per line)`],
    ['a missing file', () => join(dir, 'nope.jsonl'), (p) => `data file ${p} does not exist`],
    ['a message without role', () => file('no-role.jsonl', q('q1', [{ content: 'hi' }])), (p) => `${p} line 1: messages[0].role must be one of system, user, assistant, tool; got nothing`],
    ['a message with an unknown role', () => file('bad-role.jsonl', q('q1', [{ role: 'usr', content: 'hi' }])), (p) => `${p} line 1: messages[0].role must be one of system, user, assistant, tool; got "usr"`],
    ['a message without content', () => file('no-content.jsonl', `${q('q0', user)}\n${q('q1', [{ role: 'user' }])}`), (p) => `${p} line 2: messages[0].content must be a string; got nothing`],
    ['no messages', () => file('empty.jsonl', q('q1', [])), (p) => `${p} line 1: "messages" is empty; give at least one {"role": "user", "content": ...}`],
    ['no id', () => file('no-id.jsonl', JSON.stringify({ messages: user })), (p) => `${p} line 1: needs "id" and "messages"`],
    // An image of 2×1 RGB pixels is 6 bytes; "AAAA" decodes to 3.
    ['an image of the wrong byte count', () => file('bad-image.jsonl', q('q1', [{ role: 'user', content: 'hi', images: [{ width: 2, height: 1, rgbBase64: 'AAAA' }] }])), (p) => `${p} line 1: messages[0].images[0].rgbBase64 decodes to 3 bytes; width·height·3 = 6 (8-bit RGB, row-major, no alpha)`],
    ['an image without a height', () => file('no-height.jsonl', q('q1', [{ role: 'user', content: 'hi', images: [{ width: 2, rgbBase64: 'AAAAAAAA' }] }])), (p) => `${p} line 1: messages[0].images[0].height must be a positive integer; got nothing`],
    ['images that are not a list', () => file('images-object.jsonl', q('q1', [{ role: 'user', content: 'hi', images: { width: 1 } }])), (p) => `${p} line 1: messages[0].images must be a list of images {"width", "height", "rgbBase64"} (8-bit RGB, base64)`],
    ['a duplicate id', () => file('dup.jsonl', `${q('q1', user)}\n\n${q('q2', user)}\n${q('q1', user)}`), (p) => `${p} line 4: duplicate sample id "q1" (first on line 1); ids must be unique`],
  ];
  it.each(rows)('%s', (_name, make, message) => {
    const p = make();
    expect(() => readSamples(p)).toThrow(message(p));
  });

  it('reads a message’s images (2×1 RGB = 6 bytes = "AAECAwQF")', () => {
    const image = { width: 2, height: 1, rgbBase64: Buffer.from([0, 1, 2, 3, 4, 5]).toString('base64') };
    expect(image.rgbBase64).toBe('AAECAwQF');
    const [s] = readSamples(file('image.jsonl', q('q1', [{ role: 'user', content: 'hi', images: [image] }])));
    expect(s.messages[0].images).toEqual([image]);
  });
});

describe('run folders: fresh runs, --resume and damaged files', () => {
  const recipe = (steps: number) => resolveRecipe(testRecipe, [`steps=${steps}`, 'checkpoint.every=1'], { recipes: [] });
  let trained: string;
  beforeAll(async () => {
    trained = join(dir, 'trained');
    const model = newModel();
    await train({ recipe: recipe(2), model, tokenizer, dataset, runDir: trained, plugins: testPlugins, progress: false, log: () => undefined });
    model.dispose();
  }, 120_000);

  /** A copy of the trained run folder, damaged by `damage`, trained (resumed) to 3 steps; returns the notes. */
  async function run(name: string, damage: (runDir: string) => void, opts: Partial<TrainOptions> = { resume: true }) {
    const runDir = join(dir, name);
    cpSync(trained, runDir, { recursive: true });
    damage(runDir);
    const notes: string[] = [];
    const model = newModel();
    try {
      await train({ recipe: recipe(3), model, tokenizer, dataset, runDir, plugins: testPlugins, progress: false, log: (l) => notes.push(l), ...opts });
    } finally {
      model.dispose();
    }
    return { runDir, notes };
  }
  const ckpt = (runDir: string) => join(runDir, 'checkpoints');

  it('a fresh run in a folder with checkpoints is refused, and nothing there is touched', async () => {
    const runDir = join(dir, 'fresh');
    await expect(run('fresh', () => undefined, {})).rejects.toThrow(
      `${ckpt(runDir)} already holds checkpoints of an earlier run (newest: step-000002). Pass --resume to continue that run, use another run folder, or pass --overwrite (overwrite: true) to delete them and start again`,
    );
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(trained, 'metrics.jsonl'), 'utf8'));
  });

  it('with overwrite, a fresh run replaces the earlier checkpoints and keeps its own', async () => {
    const { runDir } = await run('overwrite', () => undefined, { resume: false, overwrite: true });
    expect(readdirSync(ckpt(runDir)).filter((n) => n.startsWith('step-')).sort()).toEqual(['step-000001', 'step-000002', 'step-000003']);
    expect(readFileSync(join(ckpt(runDir), 'latest'), 'utf8')).toBe('step-000003');
  }, 120_000);

  it('--resume with `latest` naming a missing folder is an error, not a restart from step 0', async () => {
    const runDir = join(dir, 'dangling');
    const metrics = readFileSync(join(trained, 'metrics.jsonl'), 'utf8');
    await expect(run('dangling', (d) => rmSync(join(ckpt(d), 'step-000002'), { recursive: true }))).rejects.toThrow(
      `--resume: ${join(ckpt(runDir), 'latest')} names step-000002, which does not exist. Complete checkpoints: step-000001. Write the one to continue from into ${join(ckpt(runDir), 'latest')}.`,
    );
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });

  it('a damaged trainer_state.json is an error naming the file', async () => {
    const runDir = join(dir, 'corrupt-state');
    const state = join(ckpt(runDir), 'step-000002', 'trainer_state.json');
    await expect(run('corrupt-state', () => writeFileSync(state, '{"format": "tirl.chec'))).rejects.toThrow(
      new RegExp(`^${escape(state)} is damaged \\(.+\\); this checkpoint cannot be resumed\\. Resume from an earlier one by writing its folder name into ${escape(join(ckpt(runDir), 'latest'))}$`),
    );
  });

  it('a line of metrics.jsonl that is not JSON (not the last) is an error naming file and line', async () => {
    const runDir = join(dir, 'bad-metrics');
    const metrics = join(runDir, 'metrics.jsonl');
    await expect(run('bad-metrics', () => writeFileSync(metrics, `{"step": 0}\nnot json\n{"step": 1}\n`))).rejects.toThrow(
      new RegExp(`^${escape(metrics)} line 2 is not JSON \\(.+\\); fix or delete that line, then resume again$`),
    );
  });

  it('a torn last line of metrics.jsonl (a kill during its write) is dropped with a note, and the run resumes', async () => {
    const { runDir, notes } = await run('torn-metrics', (d) => {
      const m = join(d, 'metrics.jsonl');
      writeFileSync(m, readFileSync(m, 'utf8') + '{"step": 2, "reward/me');
    });
    expect(notes).toContain(`resume: ${join(runDir, 'metrics.jsonl')} line 3 was cut off by the stop (22 characters); dropped`);
    const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    expect(steps).toEqual([0, 1, 2]);
  }, 120_000);

  it('half-written checkpoint folders of a dead process are removed on resume', async () => {
    const { runDir, notes } = await run('stale-tmp', (d) => {
      // PID 2^22 + 1 is above Linux's pid_max: no process has it.
      mkdirSync(join(ckpt(d), '.step-000003.tmp-4194305'));
      writeFileSync(join(ckpt(d), '.step-000003.tmp-4194305', 'config.json'), '{');
    });
    expect(notes).toContain('resume: removed half-written checkpoint files of a stopped run: .step-000003.tmp-4194305');
    expect(readdirSync(ckpt(runDir)).filter((n) => n.includes('.tmp'))).toEqual([]);
  }, 120_000);

  it('--resume in a folder without checkpoints says it starts from step 0', async () => {
    const { runDir, notes } = await run('no-checkpoints', (d) => rmSync(ckpt(d), { recursive: true }));
    expect(notes).toContain(`resume: ${ckpt(runDir)} holds no checkpoint yet; starting from step 0`);
    expect(existsSync(join(ckpt(runDir), 'step-000003'))).toBe(true);
  }, 120_000);
});

describe('model folders', () => {
  it('a folder without tokenizer.json whose vocabulary is smaller than the byte tokenizer is refused up front', async () => {
    const modelDir = join(dir, 'small-vocab');
    const model = createTinyModel({ vocabSize: 100, hiddenSize: 8, intermediateSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, numKeyValueHeads: 1 }, 1);
    await savePretrained(modelDir, model);
    model.dispose();
    const data = file('ok.jsonl', q('q1', user));
    const config = file('small-vocab.yaml', `model:\n  path: ${modelDir}\ndata:\n  train: ${data}\nrunDir: ${join(dir, 'small-vocab-run')}\n`);
    await expect(main(['train', '--recipe', 'grpo', '--config', config])).rejects.toThrow(
      `${modelDir} has no tokenizer.json, and its vocabulary (100 ids) is smaller than the byte tokenizer's (263 ids) that would replace it. Put the model's tokenizer.json (and tokenizer_config.json) into ${modelDir}`,
    );
  }, 60_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


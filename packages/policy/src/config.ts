import { checkpointError } from './errors';

/** Decoder architectures this package implements. */
export const ARCHITECTURES = ['llama', 'qwen2', 'qwen3'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

const HF_ARCHITECTURES: Record<string, Architecture> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
};
const HF_CLASS: Record<Architecture, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };

/**
 * Llama 3.x frequency-dependent rotary scaling (`rope_scaling.rope_type: "llama3"`), as in Hugging Face
 * `_compute_llama3_parameters`; or `linear` position interpolation (every frequency divided by `factor`).
 */
export type RopeScaling =
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number }
  | { type: 'linear'; factor: number };

/** Weight dtypes a checkpoint may hold; the model computes in float32 whatever it loaded. */
export const WEIGHT_DTYPES = ['float32', 'float16', 'bfloat16'] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

/** The shape of a decoder-only transformer (camelCase mirror of Hugging Face `config.json`). */
export interface ModelConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Bias on the q/k/v projections (always on for Qwen2). */
  attentionBias: boolean;
  /** RMSNorm of each query and key head before rotary embeddings (Qwen3). */
  qkNorm: boolean;
  ropeScaling?: RopeScaling;
  /** The checkpoint's `torch_dtype`; saving writes it unless F32 is asked for. */
  torchDtype: WeightDtype;
  bosTokenId?: number;
  eosTokenId?: number | number[];
}

/** Fields a caller may leave out of {@link ModelConfig.create}. */
export type ModelConfigInput = Partial<ModelConfig> &
  Pick<ModelConfig, 'vocabSize' | 'hiddenSize' | 'intermediateSize' | 'numHiddenLayers' | 'numAttentionHeads'>;

type HfConfig = Record<string, unknown>;

export const ModelConfig = {
  /** Fills defaults (Llama, MHA, θ = 10000) and checks the shape. */
  create(input: ModelConfigInput, origin = 'ModelConfig'): ModelConfig {
    const architecture = input.architecture ?? 'llama';
    const config: ModelConfig = {
      architecture,
      numKeyValueHeads: input.numAttentionHeads,
      headDim: input.hiddenSize / input.numAttentionHeads,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      maxPositionEmbeddings: 2048,
      tieWordEmbeddings: false,
      attentionBias: architecture === 'qwen2',
      qkNorm: architecture === 'qwen3',
      torchDtype: 'float32',
      ...input,
    };
    validate(config, origin);
    return config;
  },

  /** Reads a Hugging Face `config.json` object; `file` names it in errors. */
  fromHfConfig(hf: HfConfig, file = 'config.json'): ModelConfig {
    const archNames = Array.isArray(hf.architectures) ? (hf.architectures as string[]) : [];
    const architecture =
      archNames.map((a) => HF_ARCHITECTURES[a]).find(Boolean) ?? ARCHITECTURES.find((a) => a === hf.model_type);
    if (!architecture) {
      throw checkpointError(
        file,
        `unknown architecture (architectures=${JSON.stringify(hf.architectures)}, model_type=${JSON.stringify(hf.model_type)}). ` +
          `Supported: ${Object.keys(HF_ARCHITECTURES).join(', ')} (model_type ${ARCHITECTURES.join(', ')})`,
      );
    }
    const num = (field: string, fallback?: number): number => {
      const v = hf[field] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw checkpointError(file, `field "${field}" must be a number, got ${JSON.stringify(v)}`);
      return v;
    };
    const ropeScaling = parseRopeScaling(hf.rope_scaling, file);
    if (hf.use_sliding_window === true) throw checkpointError(file, 'field "use_sliding_window": sliding-window attention is not supported; set it to false');
    if (hf.hidden_act !== undefined && hf.hidden_act !== 'silu') throw checkpointError(file, `field "hidden_act" must be "silu", got ${JSON.stringify(hf.hidden_act)}`);
    if (hf.mlp_bias === true) throw checkpointError(file, 'field "mlp_bias": MLP biases are not supported');
    // Recent transformers write `dtype`, older ones `torch_dtype`.
    const dtypeField = hf.torch_dtype !== undefined ? 'torch_dtype' : 'dtype';
    const torchDtype = hf[dtypeField] ?? 'float32';
    if (!WEIGHT_DTYPES.includes(torchDtype as WeightDtype)) {
      throw checkpointError(file, `field "${dtypeField}" must be float32, float16 or bfloat16, got ${JSON.stringify(torchDtype)}`);
    }
    const heads = num('num_attention_heads');
    const hidden = num('hidden_size');
    const config: ModelConfig = {
      architecture,
      vocabSize: num('vocab_size'),
      hiddenSize: hidden,
      intermediateSize: num('intermediate_size'),
      numHiddenLayers: num('num_hidden_layers'),
      numAttentionHeads: heads,
      numKeyValueHeads: num('num_key_value_heads', heads),
      headDim: num('head_dim', hidden / heads),
      rmsNormEps: num('rms_norm_eps', 1e-6),
      ropeTheta: num('rope_theta', 10000),
      maxPositionEmbeddings: num('max_position_embeddings', 2048),
      tieWordEmbeddings: hf.tie_word_embeddings === true,
      attentionBias: architecture === 'qwen2' ? true : hf.attention_bias === true,
      qkNorm: architecture === 'qwen3',
      torchDtype: torchDtype as WeightDtype,
      ...(ropeScaling ? { ropeScaling } : {}),
      ...(typeof hf.bos_token_id === 'number' ? { bosTokenId: hf.bos_token_id } : {}),
      ...(typeof hf.eos_token_id === 'number' || Array.isArray(hf.eos_token_id) ? { eosTokenId: hf.eos_token_id as number | number[] } : {}),
    };
    validate(config, file);
    return config;
  },

  /** Writes a Hugging Face `config.json` object. */
  toHfConfig(config: ModelConfig): HfConfig {
    const isQwen2 = config.architecture === 'qwen2';
    return {
      architectures: [HF_CLASS[config.architecture]],
      model_type: config.architecture,
      vocab_size: config.vocabSize,
      hidden_size: config.hiddenSize,
      intermediate_size: config.intermediateSize,
      num_hidden_layers: config.numHiddenLayers,
      num_attention_heads: config.numAttentionHeads,
      num_key_value_heads: config.numKeyValueHeads,
      head_dim: config.headDim,
      rms_norm_eps: config.rmsNormEps,
      rope_theta: config.ropeTheta,
      max_position_embeddings: config.maxPositionEmbeddings,
      tie_word_embeddings: config.tieWordEmbeddings,
      ...(isQwen2 ? {} : { attention_bias: config.attentionBias }),
      ...(config.ropeScaling ? { rope_scaling: ropeScalingToHf(config.ropeScaling) } : {}),
      hidden_act: 'silu',
      torch_dtype: config.torchDtype,
      ...(config.bosTokenId !== undefined ? { bos_token_id: config.bosTokenId } : {}),
      ...(config.eosTokenId !== undefined ? { eos_token_id: config.eosTokenId } : {}),
    };
  },
};

function validate(c: ModelConfig, origin: string): void {
  const positive = ['vocabSize', 'hiddenSize', 'intermediateSize', 'numHiddenLayers', 'numAttentionHeads', 'numKeyValueHeads', 'headDim'] as const;
  for (const f of positive) {
    if (!Number.isInteger(c[f]) || c[f] <= 0) throw checkpointError(origin, `${f} must be a positive integer, got ${c[f]}`);
  }
  if (c.numAttentionHeads % c.numKeyValueHeads !== 0) {
    throw checkpointError(origin, `numAttentionHeads (${c.numAttentionHeads}) must be a multiple of numKeyValueHeads (${c.numKeyValueHeads})`);
  }
  if (c.headDim % 2 !== 0) throw checkpointError(origin, `headDim must be even for rotary embeddings, got ${c.headDim}`);
  if (c.architecture === 'qwen2' && !c.attentionBias) throw checkpointError(origin, 'qwen2 always has q/k/v biases; attentionBias must be true');
  if (c.qkNorm !== (c.architecture === 'qwen3')) throw checkpointError(origin, `qkNorm is ${c.qkNorm} but architecture is ${c.architecture}; q/k norms belong to qwen3 exactly`);
  if (!WEIGHT_DTYPES.includes(c.torchDtype)) throw checkpointError(origin, `torchDtype must be one of ${WEIGHT_DTYPES.join(', ')}, got ${JSON.stringify(c.torchDtype)}`);
}

function parseRopeScaling(raw: unknown, file: string): RopeScaling | undefined {
  if (raw == null) return undefined;
  const r = raw as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  const num = (field: string): number => {
    const v = r[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw checkpointError(file, `field "rope_scaling.${field}" must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (type === 'default') return undefined;
  if (type === 'linear') return { type: 'linear', factor: num('factor') };
  if (type === 'llama3') {
    const scaling: RopeScaling = {
      type: 'llama3',
      factor: num('factor'),
      lowFreqFactor: num('low_freq_factor'),
      highFreqFactor: num('high_freq_factor'),
      originalMaxPositionEmbeddings: num('original_max_position_embeddings'),
    };
    if (scaling.highFreqFactor <= scaling.lowFreqFactor) throw checkpointError(file, 'field "rope_scaling.high_freq_factor" must be larger than "low_freq_factor"');
    return scaling;
  }
  throw checkpointError(file, `field "rope_scaling" has type ${JSON.stringify(type)}; supported: "llama3", "linear", "default" (or null)`);
}

function ropeScalingToHf(s: RopeScaling): Record<string, unknown> {
  if (s.type === 'linear') return { rope_type: 'linear', factor: s.factor };
  return {
    rope_type: 'llama3',
    factor: s.factor,
    low_freq_factor: s.lowFreqFactor,
    high_freq_factor: s.highFreqFactor,
    original_max_position_embeddings: s.originalMaxPositionEmbeddings,
  };
}

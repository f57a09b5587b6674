import { checkpointError } from './errors';

/** Decoder architectures this package implements. */
export const ARCHITECTURES = ['llama', 'qwen2'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

const HF_ARCHITECTURES: Record<string, Architecture> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
};

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
    if (hf.rope_scaling != null) throw checkpointError(file, `field "rope_scaling" is not supported (got ${JSON.stringify(hf.rope_scaling)}); only plain rotary embeddings are`);
    if (hf.hidden_act !== undefined && hf.hidden_act !== 'silu') throw checkpointError(file, `field "hidden_act" must be "silu", got ${JSON.stringify(hf.hidden_act)}`);
    if (hf.mlp_bias === true) throw checkpointError(file, 'field "mlp_bias": MLP biases are not supported');
    if (hf.torch_dtype !== undefined && !['float32', 'float16', 'bfloat16'].includes(String(hf.torch_dtype))) {
      throw checkpointError(file, `field "torch_dtype" must be float32, float16 or bfloat16, got ${JSON.stringify(hf.torch_dtype)}`);
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
      ...(typeof hf.bos_token_id === 'number' ? { bosTokenId: hf.bos_token_id } : {}),
      ...(typeof hf.eos_token_id === 'number' || Array.isArray(hf.eos_token_id) ? { eosTokenId: hf.eos_token_id as number | number[] } : {}),
    };
    validate(config, file);
    return config;
  },

  /** Writes a Hugging Face `config.json` object. */
  toHfConfig(config: ModelConfig): HfConfig {
    const isQwen = config.architecture === 'qwen2';
    return {
      architectures: [isQwen ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
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
      ...(isQwen ? {} : { attention_bias: config.attentionBias }),
      hidden_act: 'silu',
      torch_dtype: 'float32',
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
}

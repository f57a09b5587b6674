import { ModelConfig } from '../config';
import { checkpointError } from '../errors';

/** The SigLIP vision tower of an Idefics3 / SmolVLM checkpoint (`vision_config`). */
export interface VisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numChannels: number;
  imageSize: number;
  patchSize: number;
  layerNormEps: number;
}

/** An `Idefics3ForConditionalGeneration` (SmolVLM) checkpoint: vision tower, connector, Llama decoder. */
export interface VlmConfig {
  vision: VisionConfig;
  text: ModelConfig;
  /** Pixel-shuffle factor of the connector: each `s × s` block of patches becomes one image token. */
  scaleFactor: number;
  imageTokenId: number;
  /** `<image>` tokens per frame: `(imageSize / patchSize)² / scaleFactor²`. */
  imageSeqLen: number;
  /** `model_type` as read (`idefics3` or `smolvlm`), written back unchanged. */
  modelType: 'idefics3' | 'smolvlm';
}

const CLASSES: Record<VlmConfig['modelType'], string> = { idefics3: 'Idefics3ForConditionalGeneration', smolvlm: 'SmolVLMForConditionalGeneration' };

type Json = Record<string, unknown>;

export const VlmConfig = {
  /** Reads an Idefics3 / SmolVLM `config.json`; errors name the file and field. */
  fromHfConfig(hf: Json, file = 'config.json'): VlmConfig {
    const modelType = hf.model_type;
    if (modelType !== 'idefics3' && modelType !== 'smolvlm') {
      throw checkpointError(file, `field "model_type" must be "idefics3" or "smolvlm" (Idefics3ForConditionalGeneration / SmolVLM layout), got ${JSON.stringify(modelType)}`);
    }
    const v = hf.vision_config as Json | undefined;
    const t = hf.text_config as Json | undefined;
    if (!v || typeof v !== 'object') throw checkpointError(file, 'field "vision_config" is missing');
    if (!t || typeof t !== 'object') throw checkpointError(file, 'field "text_config" is missing');
    const num = (obj: Json, prefix: string, field: string, fallback?: number): number => {
      const x = obj[field] ?? fallback;
      if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw checkpointError(file, `field "${prefix}${field}" must be a positive number, got ${JSON.stringify(x)}`);
      return x;
    };
    const act = v.hidden_act ?? 'gelu_pytorch_tanh';
    if (act !== 'gelu_pytorch_tanh') throw checkpointError(file, `field "vision_config.hidden_act" must be "gelu_pytorch_tanh", got ${JSON.stringify(act)}`);
    const vision: VisionConfig = {
      hiddenSize: num(v, 'vision_config.', 'hidden_size', 768),
      intermediateSize: num(v, 'vision_config.', 'intermediate_size', 3072),
      numHiddenLayers: num(v, 'vision_config.', 'num_hidden_layers', 12),
      numAttentionHeads: num(v, 'vision_config.', 'num_attention_heads', 12),
      numChannels: num(v, 'vision_config.', 'num_channels', 3),
      imageSize: num(v, 'vision_config.', 'image_size', 224),
      patchSize: num(v, 'vision_config.', 'patch_size', 32),
      layerNormEps: num(v, 'vision_config.', 'layer_norm_eps', 1e-6),
    };
    const textHf: Json = { model_type: 'llama', ...t };
    if (hf.tie_word_embeddings !== undefined) textHf.tie_word_embeddings = hf.tie_word_embeddings;
    if (textHf.torch_dtype === undefined && hf.torch_dtype !== undefined) textHf.torch_dtype = hf.torch_dtype;
    const text = ModelConfig.fromHfConfig(textHf, `${file} (text_config)`);
    if (text.architecture !== 'llama') throw checkpointError(file, `field "text_config.model_type" must be "llama" for this family, got ${JSON.stringify(t.model_type)}`);
    const scaleFactor = num(hf, '', 'scale_factor', 2);
    const imageTokenId = hf.image_token_id ?? hf.image_token_index;
    if (typeof imageTokenId !== 'number' || !Number.isInteger(imageTokenId) || imageTokenId < 0 || imageTokenId >= text.vocabSize) {
      throw checkpointError(file, `field "image_token_id" must be a token id below text_config.vocab_size (${text.vocabSize}), got ${JSON.stringify(imageTokenId)}`);
    }
    return VlmConfig.create({ vision, text, scaleFactor, imageTokenId, modelType }, file);
  },

  /** Checks the shape and derives `imageSeqLen`. */
  create(input: Omit<VlmConfig, 'imageSeqLen'>, origin = 'VlmConfig'): VlmConfig {
    const { vision: v, scaleFactor: s } = input;
    if (v.hiddenSize % v.numAttentionHeads !== 0) throw checkpointError(origin, `vision hidden_size ${v.hiddenSize} must be a multiple of num_attention_heads ${v.numAttentionHeads}`);
    if (v.imageSize % v.patchSize !== 0) throw checkpointError(origin, `vision image_size ${v.imageSize} must be a multiple of patch_size ${v.patchSize}`);
    const side = v.imageSize / v.patchSize;
    if (!Number.isInteger(s) || side % s !== 0) throw checkpointError(origin, `scale_factor ${s} must be an integer dividing the patch grid side ${side}`);
    return { ...input, imageSeqLen: (side * side) / (s * s) };
  },

  toHfConfig(c: VlmConfig): Json {
    const v = c.vision;
    return {
      architectures: [CLASSES[c.modelType]],
      model_type: c.modelType,
      image_token_id: c.imageTokenId,
      scale_factor: c.scaleFactor,
      tie_word_embeddings: c.text.tieWordEmbeddings,
      torch_dtype: c.text.torchDtype,
      vision_config: {
        model_type: `${c.modelType}_vision`,
        hidden_size: v.hiddenSize,
        intermediate_size: v.intermediateSize,
        num_hidden_layers: v.numHiddenLayers,
        num_attention_heads: v.numAttentionHeads,
        num_channels: v.numChannels,
        image_size: v.imageSize,
        patch_size: v.patchSize,
        hidden_act: 'gelu_pytorch_tanh',
        layer_norm_eps: v.layerNormEps,
      },
      text_config: ModelConfig.toHfConfig(c.text),
    };
  },
};

/** Hugging Face names and shapes of the vision tower and connector. */
export function visionShapes(c: VlmConfig): Map<string, number[]> {
  const v = c.vision;
  const E = v.hiddenSize;
  const shapes = new Map<string, number[]>();
  const pre = 'model.vision_model.';
  shapes.set(`${pre}embeddings.patch_embedding.weight`, [E, v.numChannels, v.patchSize, v.patchSize]);
  shapes.set(`${pre}embeddings.patch_embedding.bias`, [E]);
  shapes.set(`${pre}embeddings.position_embedding.weight`, [(v.imageSize / v.patchSize) ** 2, E]);
  for (let i = 0; i < v.numHiddenLayers; i++) {
    const p = `${pre}encoder.layers.${i}.`;
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      shapes.set(`${p}self_attn.${n}.weight`, [E, E]);
      shapes.set(`${p}self_attn.${n}.bias`, [E]);
    }
    shapes.set(`${p}layer_norm1.weight`, [E]);
    shapes.set(`${p}layer_norm1.bias`, [E]);
    shapes.set(`${p}mlp.fc1.weight`, [v.intermediateSize, E]);
    shapes.set(`${p}mlp.fc1.bias`, [v.intermediateSize]);
    shapes.set(`${p}mlp.fc2.weight`, [E, v.intermediateSize]);
    shapes.set(`${p}mlp.fc2.bias`, [E]);
    shapes.set(`${p}layer_norm2.weight`, [E]);
    shapes.set(`${p}layer_norm2.bias`, [E]);
  }
  shapes.set(`${pre}post_layernorm.weight`, [E]);
  shapes.set(`${pre}post_layernorm.bias`, [E]);
  shapes.set('model.connector.modality_projection.proj.weight', [c.text.hiddenSize, E * c.scaleFactor * c.scaleFactor]);
  return shapes;
}

/** The decoder's names inside the VLM checkpoint: `model.X` of a Llama checkpoint is `model.text_model.X`. */
export function textNameInVlm(name: string): string {
  return name.startsWith('model.') ? `model.text_model.${name.slice('model.'.length)}` : name;
}

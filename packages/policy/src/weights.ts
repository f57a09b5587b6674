import type { ModelConfig } from './config';

/** Hugging Face tensor names and shapes (`[out, in]` for projections) of a model with this config. */
export function expectedShapes(c: ModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const qDim = c.numAttentionHeads * c.headDim;
  const kvDim = c.numKeyValueHeads * c.headDim;
  shapes.set('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.input_layernorm.weight`, [c.hiddenSize]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [qDim, c.hiddenSize]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [kvDim, c.hiddenSize]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [kvDim, c.hiddenSize]);
    if (c.attentionBias) {
      shapes.set(`${p}.self_attn.q_proj.bias`, [qDim]);
      shapes.set(`${p}.self_attn.k_proj.bias`, [kvDim]);
      shapes.set(`${p}.self_attn.v_proj.bias`, [kvDim]);
    }
    if (c.qkNorm) {
      shapes.set(`${p}.self_attn.q_norm.weight`, [c.headDim]);
      shapes.set(`${p}.self_attn.k_norm.weight`, [c.headDim]);
    }
    shapes.set(`${p}.self_attn.o_proj.weight`, [c.hiddenSize, qDim]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [c.hiddenSize]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    shapes.set(`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    shapes.set(`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]);
  }
  shapes.set('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) shapes.set('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return shapes;
}

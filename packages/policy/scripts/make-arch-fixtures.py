#!/usr/bin/python3
"""
Writes the architecture parity fixtures under test/fixtures/ (run from packages/policy):

    /usr/bin/python3 scripts/make-arch-fixtures.py   (Debian python3-torch)

For each architecture: a tiny random Hugging Face checkpoint with the real config.json fields
(config.json, safetensors in the checkpoint's own dtype, sharded where noted) and expected.json with
the logits, next-token log-probs and greedy continuations of an independent float64 PyTorch forward
pass written from the Hugging Face modelling code (modeling_llama.py, modeling_qwen2.py,
modeling_qwen3.py, modeling_rope_utils.py). No transformers or safetensors package is used: the
safetensors writer (safetensors_writer.py, shared with make-vlm-fixtures.py) and the forward pass are
written by hand. A PEFT-layout LoRA adapter for the Llama 3 model (adapter_config.json +
adapter_model.safetensors, PEFT tensor names) and its expected logits are written too. Needs only python3-torch (Debian).
"""
import json
import math
import os

import torch

from safetensors_writer import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')
DT = {'float32': torch.float32, 'float16': torch.float16, 'bfloat16': torch.bfloat16}


def save_checkpoint(folder, config, weights, shards):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    names = list(weights)
    if shards == 1:
        write_safetensors(os.path.join(folder, 'model.safetensors'), weights)
        return
    per = math.ceil(len(names) / shards)
    weight_map, total = {}, 0
    for i in range(shards):
        file = f'model-{i + 1:05d}-of-{shards:05d}.safetensors'
        part = {n: weights[n] for n in names[i * per:(i + 1) * per]}
        write_safetensors(os.path.join(folder, file), part)
        for n, t in part.items():
            weight_map[n] = file
            total += t.numel() * t.element_size()
    with open(os.path.join(folder, 'model.safetensors.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)


# ---------------------------------------------------------------- reference forward (float64)
def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def inv_freq(cfg, D):
    inv = 1.0 / (cfg['rope_theta'] ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    rs = cfg.get('rope_scaling')
    if not rs:
        return inv
    assert rs['rope_type'] == 'llama3'
    factor, low, high = rs['factor'], rs['low_freq_factor'], rs['high_freq_factor']
    old = rs['original_max_position_embeddings']
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, scaled)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


def linear(W, lora, name, x):
    y = x @ W[name + '.weight'].T
    if name + '.bias' in W:
        y = y + W[name + '.bias']
    if lora is not None and name in lora['modules']:
        A, B = lora['modules'][name]
        y = y + (x @ A.T @ B.T) * lora['scaling']
    return y


def forward(cfg, W, ids, lora=None):
    T = len(ids)
    H, Hkv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    D = cfg.get('head_dim') or cfg['hidden_size'] // H
    eps = cfg['rms_norm_eps']
    qk_norm = cfg['model_type'] == 'qwen3'
    x = W['model.embed_tokens.weight'][torch.tensor(ids)]
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq(cfg, D))
    emb = torch.cat([freqs, freqs], -1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    causal = torch.full((T, T), float('-inf'), dtype=torch.float64).triu(1)
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}'
        h = rms_norm(x, W[f'{p}.input_layernorm.weight'], eps)
        q = linear(W, lora, f'{p}.self_attn.q_proj', h).view(T, H, D)
        k = linear(W, lora, f'{p}.self_attn.k_proj', h).view(T, Hkv, D)
        v = linear(W, lora, f'{p}.self_attn.v_proj', h).view(T, Hkv, D)
        if qk_norm:
            q = rms_norm(q, W[f'{p}.self_attn.q_norm.weight'], eps)
            k = rms_norm(k, W[f'{p}.self_attn.k_norm.weight'], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // Hkv, dim=1)  # repeat_kv: query head h reads kv head h // G
        v = v.repeat_interleave(H // Hkv, dim=1)
        scores = torch.einsum('thd,shd->hts', q, k) / math.sqrt(D) + causal
        out = torch.einsum('hts,shd->thd', scores.softmax(-1), v).reshape(T, H * D)
        x = x + linear(W, lora, f'{p}.self_attn.o_proj', out)
        h2 = rms_norm(x, W[f'{p}.post_attention_layernorm.weight'], eps)
        gate = linear(W, lora, f'{p}.mlp.gate_proj', h2)
        up = linear(W, lora, f'{p}.mlp.up_proj', h2)
        x = x + linear(W, lora, f'{p}.mlp.down_proj', torch.nn.functional.silu(gate) * up)
    x = rms_norm(x, W['model.norm.weight'], eps)
    head = W['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else W['lm_head.weight']
    return x @ head.T


# ---------------------------------------------------------------- random checkpoints
def random_weights(cfg, gen, std):
    H, Hkv, hid = cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['hidden_size']
    D = cfg.get('head_dim') or hid // H
    ffn, V = cfg['intermediate_size'], cfg['vocab_size']
    bias = cfg['model_type'] == 'qwen2' or cfg.get('attention_bias', False)
    w = {}

    def rnd(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float32) * std

    def norm(n):
        return 1 + torch.randn(n, generator=gen, dtype=torch.float32) * 0.1

    w['model.embed_tokens.weight'] = rnd(V, hid)
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}'
        w[f'{p}.input_layernorm.weight'] = norm(hid)
        for n, o in (('q', H * D), ('k', Hkv * D), ('v', Hkv * D)):
            w[f'{p}.self_attn.{n}_proj.weight'] = rnd(o, hid)
            if bias:
                w[f'{p}.self_attn.{n}_proj.bias'] = rnd(o)
        if cfg['model_type'] == 'qwen3':
            w[f'{p}.self_attn.q_norm.weight'] = norm(D)
            w[f'{p}.self_attn.k_norm.weight'] = norm(D)
        w[f'{p}.self_attn.o_proj.weight'] = rnd(hid, H * D)
        w[f'{p}.post_attention_layernorm.weight'] = norm(hid)
        w[f'{p}.mlp.gate_proj.weight'] = rnd(ffn, hid)
        w[f'{p}.mlp.up_proj.weight'] = rnd(ffn, hid)
        w[f'{p}.mlp.down_proj.weight'] = rnd(hid, ffn)
    w['model.norm.weight'] = norm(hid)
    if not cfg['tie_word_embeddings']:
        w['lm_head.weight'] = rnd(V, hid)
    dt = DT[cfg['torch_dtype']]
    return {n: t.to(dt) for n, t in w.items()}


def cases(cfg, W, seqs, lora=None):
    out = []
    for ids in seqs:
        logits = forward(cfg, W, ids, lora)
        logp = logits.log_softmax(-1)
        greedy, seq = [], list(ids)
        for _ in range(8):
            nxt = int(forward(cfg, W, seq, lora)[-1].argmax())
            greedy.append(nxt)
            seq.append(nxt)
        out.append({
            'ids': ids,
            'logits': [[round(float(v), 7) for v in row] for row in logits],
            'nextTokenLogProbs': [round(float(logp[t - 1, ids[t]]), 7) for t in range(1, len(ids))],
            'greedy8': greedy,
        })
    return out


BASE = {'hidden_act': 'silu', 'initializer_range': 0.02, 'use_cache': True, 'attention_dropout': 0.0}

MODELS = {
    # Llama 3.2-style: llama3 rope scaling (bands chosen so all three regimes occur at head_dim 16),
    # GQA, tied head, BF16 weights in two shards.
    'tiny-llama3': (dict(BASE, architectures=['LlamaForCausalLM'], model_type='llama', vocab_size=64, hidden_size=32,
                         intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                         rms_norm_eps=1e-5, rope_theta=10000.0, max_position_embeddings=512,
                         rope_scaling={'factor': 8.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0,
                                       'original_max_position_embeddings': 64, 'rope_type': 'llama3'},
                         tie_word_embeddings=True, attention_bias=False, mlp_bias=False, pretraining_tp=1,
                         bos_token_id=1, eos_token_id=2, torch_dtype='bfloat16'), 2),
    # Qwen3: per-head q/k RMSNorm, explicit head_dim (q width 4 * 16 = 64 != hidden 32), no biases, F16.
    'tiny-qwen3': (dict(BASE, architectures=['Qwen3ForCausalLM'], model_type='qwen3', vocab_size=64, hidden_size=32,
                        intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                        rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=512, rope_scaling=None,
                        attention_bias=False, use_sliding_window=False, sliding_window=None, max_window_layers=2,
                        tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, torch_dtype='float16'), 1),
    # SmolLM2-135M's proportions: 3 query heads per KV head, θ = 1e5, tied head, F32.
    'tiny-smollm2': (dict(BASE, architectures=['LlamaForCausalLM'], model_type='llama', vocab_size=64, hidden_size=48,
                          intermediate_size=128, num_hidden_layers=3, num_attention_heads=3, num_key_value_heads=1,
                          rms_norm_eps=1e-5, rope_theta=100000.0, max_position_embeddings=512, rope_scaling=None,
                          tie_word_embeddings=True, attention_bias=False, mlp_bias=False, pretraining_tp=1,
                          bos_token_id=1, eos_token_id=2, torch_dtype='float32'), 1),
    # Qwen2.5: q/k/v biases, untied head here, F32.
    'tiny-qwen2': (dict(BASE, architectures=['Qwen2ForCausalLM'], model_type='qwen2', vocab_size=64, hidden_size=32,
                        intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1,
                        rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=512, rope_scaling=None,
                        use_sliding_window=False, sliding_window=32768, max_window_layers=2,
                        tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, torch_dtype='float32'), 1),
}

SEQS = [[1, 42, 37, 52, 34, 60, 5], [1, 7, 7, 7, 9, 33, 12, 50, 61, 3, 3, 18, 44, 27, 30, 8, 63, 0, 21, 19, 40, 11, 6, 2], [5, 9]]
TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']


def peft_adapter(cfg, W, gen, r, alpha):
    """LoRA factors on every target of every layer: A [r, in], B [out, r] (B random, not PEFT's zeros)."""
    modules = {}
    for i in range(cfg['num_hidden_layers']):
        for t in TARGETS:
            kind = 'mlp' if t in ('gate_proj', 'up_proj', 'down_proj') else 'self_attn'
            name = f'model.layers.{i}.{kind}.{t}'
            out_f, in_f = W[name + '.weight'].shape
            A = torch.randn(r, in_f, generator=gen, dtype=torch.float32) * 0.2
            B = torch.randn(out_f, r, generator=gen, dtype=torch.float32) * 0.2
            modules[name] = (A, B)
    return {'modules': modules, 'scaling': alpha / r}


def main():
    torch.manual_seed(0)
    for k, (name, (cfg, shards)) in enumerate(MODELS.items()):
        gen = torch.Generator().manual_seed(100 + k)
        W = random_weights(cfg, gen, std=0.15)
        folder = os.path.join(OUT, name)
        save_checkpoint(folder, cfg, W, shards)
        W64 = {n: t.to(torch.float64) for n, t in W.items()}
        expected = {'model': name, 'cases': cases(cfg, W64, SEQS)}
        with open(os.path.join(folder, 'expected.json'), 'w') as f:
            json.dump(expected, f)
        print('wrote', folder)
        if name == 'tiny-llama3':
            r, alpha = 4, 8
            lora = peft_adapter(cfg, W, gen, r, alpha)
            adir = os.path.join(OUT, 'tiny-llama3-lora')
            os.makedirs(adir, exist_ok=True)
            tensors = {}
            for mod, (A, B) in lora['modules'].items():
                tensors[f'base_model.model.{mod}.lora_A.weight'] = A
                tensors[f'base_model.model.{mod}.lora_B.weight'] = B
            write_safetensors(os.path.join(adir, 'adapter_model.safetensors'), tensors)
            with open(os.path.join(adir, 'adapter_config.json'), 'w') as f:
                json.dump({'peft_type': 'LORA', 'task_type': 'CAUSAL_LM', 'base_model_name_or_path': '../tiny-llama3',
                           'r': r, 'lora_alpha': alpha, 'lora_dropout': 0.0, 'target_modules': TARGETS, 'bias': 'none',
                           'use_rslora': False, 'use_dora': False, 'fan_in_fan_out': False, 'modules_to_save': None,
                           'inference_mode': True, 'init_lora_weights': True, 'layers_to_transform': None,
                           'rank_pattern': {}, 'alpha_pattern': {}}, f, indent=2)
            l64 = {'modules': {m: (A.double(), B.double()) for m, (A, B) in lora['modules'].items()}, 'scaling': lora['scaling']}
            with open(os.path.join(adir, 'expected.json'), 'w') as f:
                json.dump({'model': 'tiny-llama3 + lora r4 alpha8', 'cases': cases(cfg, W64, SEQS, l64)}, f)
            print('wrote', adir)


if __name__ == '__main__':
    main()

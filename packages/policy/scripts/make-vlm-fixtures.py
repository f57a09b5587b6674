#!/usr/bin/python3
"""
Writes the vision-language parity fixture test/fixtures/tiny-idefics3/ (run from packages/policy):

    /usr/bin/python3 scripts/make-vlm-fixtures.py   (Debian python3-torch and python3-pil)

A tiny random checkpoint in the Idefics3 / SmolVLM layout (Idefics3ForConditionalGeneration: SigLIP
vision tower, pixel-shuffle connector, Llama decoder) with the real config.json, preprocessor_config.json,
processor_config.json, tokenizer.json / tokenizer_config.json (a byte-level vocabulary plus the family's
special tokens, and SmolVLM's chat template), and expected.json holding, for each prompt, the raw
images, the pixel values of the image processor, the expanded prompt text, the input ids and the
logits of an independent float64 PyTorch forward pass.

Written from transformers' modeling_idefics3.py, image_processing_idefics3.py and
processing_idefics3.py; no transformers, tokenizers or safetensors package is used. Resizing is
PIL's own LANCZOS (Image.resize), exactly as the Hugging Face image processor calls it.
"""
import json
import math
import os

import numpy as np
import torch
from PIL import Image

from safetensors_writer import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'tiny-idefics3')

# ---------------------------------------------------------------- config (real field names)
VISION = {
    'model_type': 'idefics3_vision', 'hidden_size': 16, 'intermediate_size': 40, 'num_hidden_layers': 2,
    'num_attention_heads': 2, 'num_channels': 3, 'image_size': 32, 'patch_size': 8,
    'hidden_act': 'gelu_pytorch_tanh', 'layer_norm_eps': 1e-6, 'attention_dropout': 0.0,
}
SPECIALS = ['<|im_start|>', '<end_of_utterance>', '<fake_token_around_image>', '<image>', '<global-img>'] + [
    f'<row_{r}_col_{c}>' for r in range(1, 7) for c in range(1, 7)]
VOCAB = 256 + len(SPECIALS)  # 297
TEXT = {
    'model_type': 'llama', 'architectures': ['LlamaForCausalLM'], 'vocab_size': VOCAB, 'hidden_size': 32,
    'intermediate_size': 48, 'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
    'head_dim': 8, 'rms_norm_eps': 1e-5, 'rope_theta': 100000.0, 'max_position_embeddings': 2048,
    'hidden_act': 'silu', 'tie_word_embeddings': False, 'attention_bias': False, 'mlp_bias': False,
    'pad_token_id': 2, 'rope_scaling': None, 'torch_dtype': 'float32',
}
SCALE_FACTOR = 2
IMAGE_TOKEN_ID = 256 + SPECIALS.index('<image>')
IMAGE_SEQ_LEN = (VISION['image_size'] // VISION['patch_size']) ** 2 // SCALE_FACTOR ** 2  # 4
CONFIG = {
    'architectures': ['Idefics3ForConditionalGeneration'], 'model_type': 'idefics3', 'image_token_id': IMAGE_TOKEN_ID,
    'scale_factor': SCALE_FACTOR, 'tie_word_embeddings': False, 'use_cache': True, 'torch_dtype': 'float32',
    'vision_config': VISION, 'text_config': TEXT, 'pad_token_id': 2,
}
PREPROCESSOR = {
    'image_processor_type': 'Idefics3ImageProcessor', 'processor_class': 'Idefics3Processor',
    'do_convert_rgb': True, 'do_resize': True, 'size': {'longest_edge': 64}, 'resample': 1,
    'do_image_splitting': True, 'max_image_size': {'longest_edge': 32}, 'do_rescale': True,
    'rescale_factor': 1 / 255, 'do_normalize': True, 'image_mean': [0.5, 0.5, 0.5], 'image_std': [0.5, 0.5, 0.5],
    'do_pad': True,
}
# SmolVLM-Instruct's chat template.
CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)


# ---------------------------------------------------------------- tokenizer (byte level + specials)
def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def tokenizer_json():
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    added = [{'id': 256 + i, 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, s in enumerate(SPECIALS)]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added, 'normalizer': None,
        'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
        'post_processor': None,
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False, 'vocab': vocab, 'merges': []},
    }


def encode(text):
    """Special tokens whole, every other UTF-8 byte its own id (the vocabulary has no merges)."""
    ids, i = [], 0
    while i < len(text):
        hit = next((s for s in sorted(SPECIALS, key=len, reverse=True) if text.startswith(s, i)), None)
        if hit:
            ids.append(256 + SPECIALS.index(hit))
            i += len(hit)
        else:
            ids.extend(text[i].encode('utf-8'))
            i += 1
    return ids


# ---------------------------------------------------------------- processor (image_processing_idefics3.py)
def resize_longest(h, w, max_len):
    aspect = w / h
    if w >= h:
        w = max_len
        h = int(w / aspect)
        if h % 2 != 0:
            h += 1
    else:
        h = max_len
        w = int(h * aspect)
        if w % 2 != 0:
            w += 1
    return max(h, 1), max(w, 1)


def pil_resize(arr, h, w):
    return np.array(Image.fromarray(arr).resize((w, h), resample=Image.LANCZOS))


def preprocess(arr):
    """One uint8 [H, W, 3] image → (frames [F, 3, S, S] float32, rows, cols)."""
    S = PREPROCESSOR['max_image_size']['longest_edge']
    h, w = resize_longest(arr.shape[0], arr.shape[1], PREPROCESSOR['size']['longest_edge'])
    img = pil_resize(arr, h, w)
    # resize_for_vision_encoder
    h, w = img.shape[:2]
    aspect = w / h
    if w >= h:
        w = math.ceil(w / S) * S
        h = int(w / aspect)
        h = math.ceil(h / S) * S
    else:
        h = math.ceil(h / S) * S
        w = int(h * aspect)
        w = math.ceil(w / S) * S
    img = pil_resize(img, h, w)
    frames = []
    if h > S or w > S:
        rows, cols = math.ceil(h / S), math.ceil(w / S)
        oh, ow = math.ceil(h / rows), math.ceil(w / cols)
        for r in range(rows):
            for c in range(cols):
                frames.append(img[r * oh:min(r * oh + oh, h), c * ow:min(c * ow + ow, w)])
        img = pil_resize(img, S, S)
    else:
        rows, cols = 0, 0
    frames.append(img)
    out = []
    for f in frames:
        x = (f.astype(np.float64) * (1 / 255)).astype(np.float32)
        mean = np.array(PREPROCESSOR['image_mean'], dtype=np.float32)
        std = np.array(PREPROCESSOR['image_std'], dtype=np.float32)
        x = (x - mean) / std
        out.append(x.transpose(2, 0, 1))
    return np.stack(out), rows, cols


def image_prompt(rows, cols):
    fake, tok, glob = '<fake_token_around_image>', '<image>', '<global-img>'
    if rows == 0 and cols == 0:
        return f'{fake}{glob}' + tok * IMAGE_SEQ_LEN + fake
    s = ''
    for r in range(rows):
        for c in range(cols):
            s += f'{fake}<row_{r + 1}_col_{c + 1}>' + tok * IMAGE_SEQ_LEN
        s += '\n'
    return s + f'\n{fake}{glob}' + tok * IMAGE_SEQ_LEN + fake


def render_chat(messages, add_generation_prompt):
    s = '<|im_start|>'
    for m in messages:
        s += m['role'].capitalize() + (':' if m['content'][0]['type'] == 'image' else ': ')
        for part in m['content']:
            s += part['text'] if part['type'] == 'text' else '<image>'
        s += '<end_of_utterance>\n'
    return s + ('Assistant:' if add_generation_prompt else '')


def expand(text, grids):
    parts = text.split('<image>')
    assert len(parts) == len(grids) + 1
    out = parts[0]
    for (rows, cols), rest in zip(grids, parts[1:]):
        out += image_prompt(rows, cols) + rest
    return out


# ---------------------------------------------------------------- model (modeling_idefics3.py, float64)
def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def vision_forward(W, pixels):
    v = VISION
    p, E, nh = v['patch_size'], v['hidden_size'], v['num_attention_heads']
    pre = 'model.vision_model.'
    x = torch.nn.functional.conv2d(pixels, W[pre + 'embeddings.patch_embedding.weight'], W[pre + 'embeddings.patch_embedding.bias'], stride=p)
    F, _, gh, gw = x.shape
    x = x.flatten(2).transpose(1, 2)  # [F, N, E]
    # every frame is a full image_size square: position ids are 0..N-1 (bucketize of k/N at boundaries j/N)
    x = x + W[pre + 'embeddings.position_embedding.weight'][torch.arange(gh * gw)]
    hd = E // nh
    for i in range(v['num_hidden_layers']):
        q_ = f'{pre}encoder.layers.{i}.'
        h = layer_norm(x, W[q_ + 'layer_norm1.weight'], W[q_ + 'layer_norm1.bias'], v['layer_norm_eps'])
        lin = lambda t, n: t @ W[q_ + n + '.weight'].T + W[q_ + n + '.bias']
        split = lambda t: t.view(F, -1, nh, hd).transpose(1, 2)
        q, k, vv = split(lin(h, 'self_attn.q_proj')), split(lin(h, 'self_attn.k_proj')), split(lin(h, 'self_attn.v_proj'))
        att = torch.softmax(q @ k.transpose(2, 3) * hd ** -0.5, -1) @ vv
        x = x + lin(att.transpose(1, 2).reshape(F, -1, E), 'self_attn.out_proj')
        h = layer_norm(x, W[q_ + 'layer_norm2.weight'], W[q_ + 'layer_norm2.bias'], v['layer_norm_eps'])
        x = x + lin(gelu_tanh(lin(h, 'mlp.fc1')), 'mlp.fc2')
    return layer_norm(x, W[pre + 'post_layernorm.weight'], W[pre + 'post_layernorm.bias'], v['layer_norm_eps'])


def pixel_shuffle(x, s):
    b, seq, e = x.shape
    hh = ww = int(seq ** 0.5)
    x = x.view(b, hh, ww, e).view(b, hh, ww // s, e * s).permute(0, 2, 1, 3)
    x = x.reshape(b, ww // s, hh // s, e * s * s).permute(0, 2, 1, 3)
    return x.reshape(b, seq // (s * s), e * s * s)


def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat([-x[..., d:], x[..., :d]], -1)


def text_forward(W, embeds):
    t = TEXT
    T = embeds.shape[0]
    D, H, Hkv = t['head_dim'], t['num_attention_heads'], t['num_key_value_heads']
    inv = 1.0 / (t['rope_theta'] ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None]
    cos, sin = torch.cat([ang.cos()] * 2, -1), torch.cat([ang.sin()] * 2, -1)
    causal = torch.full((T, T), float('-inf'), dtype=torch.float64).triu(1)
    x = embeds
    for i in range(t['num_hidden_layers']):
        p = f'model.text_model.layers.{i}.'
        h = rms(x, W[p + 'input_layernorm.weight'], t['rms_norm_eps'])
        q = (h @ W[p + 'self_attn.q_proj.weight'].T).view(T, H, D).transpose(0, 1)
        k = (h @ W[p + 'self_attn.k_proj.weight'].T).view(T, Hkv, D).transpose(0, 1)
        v = (h @ W[p + 'self_attn.v_proj.weight'].T).view(T, Hkv, D).transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = k.repeat_interleave(H // Hkv, 0), v.repeat_interleave(H // Hkv, 0)
        att = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(D) + causal, -1) @ v
        x = x + att.transpose(0, 1).reshape(T, H * D) @ W[p + 'self_attn.o_proj.weight'].T
        h = rms(x, W[p + 'post_attention_layernorm.weight'], t['rms_norm_eps'])
        g = h @ W[p + 'mlp.gate_proj.weight'].T
        x = x + (g * torch.sigmoid(g) * (h @ W[p + 'mlp.up_proj.weight'].T)) @ W[p + 'mlp.down_proj.weight'].T
    x = rms(x, W['model.text_model.norm.weight'], t['rms_norm_eps'])
    return x @ W['lm_head.weight'].T


def forward(W, ids, pixels):
    embeds = W['model.text_model.embed_tokens.weight'][torch.tensor(ids)].clone()
    if pixels is not None:
        img = pixel_shuffle(vision_forward(W, pixels), SCALE_FACTOR) @ W['model.connector.modality_projection.proj.weight'].T
        mask = torch.tensor(ids) == IMAGE_TOKEN_ID
        assert int(mask.sum()) == img.shape[0] * img.shape[1]
        embeds[mask] = img.reshape(-1, img.shape[-1])
    return text_forward(W, embeds)


# ---------------------------------------------------------------- weights, safetensors
def random_weights(gen):
    v, t = VISION, TEXT
    W = {}
    rnd = lambda *s, std=0.2: (torch.randn(*s, generator=gen, dtype=torch.float64) * std)
    one = lambda n: 1 + rnd(n, std=0.1)
    E, I, P = v['hidden_size'], v['intermediate_size'], v['patch_size']
    pre = 'model.vision_model.'
    W[pre + 'embeddings.patch_embedding.weight'] = rnd(E, 3, P, P, std=0.1)
    W[pre + 'embeddings.patch_embedding.bias'] = rnd(E)
    W[pre + 'embeddings.position_embedding.weight'] = rnd((v['image_size'] // P) ** 2, E)
    for i in range(v['num_hidden_layers']):
        p = f'{pre}encoder.layers.{i}.'
        for n in ['q_proj', 'k_proj', 'v_proj', 'out_proj']:
            W[p + f'self_attn.{n}.weight'] = rnd(E, E, std=0.3)
            W[p + f'self_attn.{n}.bias'] = rnd(E)
        W[p + 'layer_norm1.weight'], W[p + 'layer_norm1.bias'] = one(E), rnd(E)
        W[p + 'mlp.fc1.weight'], W[p + 'mlp.fc1.bias'] = rnd(I, E, std=0.3), rnd(I)
        W[p + 'mlp.fc2.weight'], W[p + 'mlp.fc2.bias'] = rnd(E, I, std=0.3), rnd(E)
        W[p + 'layer_norm2.weight'], W[p + 'layer_norm2.bias'] = one(E), rnd(E)
    W[pre + 'post_layernorm.weight'], W[pre + 'post_layernorm.bias'] = one(E), rnd(E)
    W['model.connector.modality_projection.proj.weight'] = rnd(t['hidden_size'], E * SCALE_FACTOR ** 2, std=0.3)
    Hs, D = t['hidden_size'], t['head_dim']
    W['model.text_model.embed_tokens.weight'] = rnd(VOCAB, Hs, std=0.5)
    for i in range(t['num_hidden_layers']):
        p = f'model.text_model.layers.{i}.'
        W[p + 'input_layernorm.weight'] = one(Hs)
        W[p + 'self_attn.q_proj.weight'] = rnd(t['num_attention_heads'] * D, Hs, std=0.3)
        W[p + 'self_attn.k_proj.weight'] = rnd(t['num_key_value_heads'] * D, Hs, std=0.3)
        W[p + 'self_attn.v_proj.weight'] = rnd(t['num_key_value_heads'] * D, Hs, std=0.3)
        W[p + 'self_attn.o_proj.weight'] = rnd(Hs, t['num_attention_heads'] * D, std=0.3)
        W[p + 'post_attention_layernorm.weight'] = one(Hs)
        W[p + 'mlp.gate_proj.weight'] = rnd(t['intermediate_size'], Hs, std=0.3)
        W[p + 'mlp.up_proj.weight'] = rnd(t['intermediate_size'], Hs, std=0.3)
        W[p + 'mlp.down_proj.weight'] = rnd(Hs, t['intermediate_size'], std=0.3)
    W['model.text_model.norm.weight'] = one(Hs)
    W['lm_head.weight'] = rnd(VOCAB, Hs, std=0.5)
    # round through float32: the checkpoint is F32, the reference runs in float64 on the same values
    return {k: w.float().double() for k, w in W.items()}


# ---------------------------------------------------------------- prompts
def test_images(rng):
    """A wide image (split 2 x 2), a tall one (2 x 1), a small one (upscaled, 2 x 2), as uint8 RGB."""
    imgs = []
    for h, w in [(50, 70), (40, 16), (20, 24)]:
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), ((xx + yy) * 7) % 256], -1)
        noise = rng.integers(0, 60, size=(h, w, 3))
        imgs.append(np.clip(base + noise, 0, 255).astype(np.uint8))
    return imgs


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(23)
    W = random_weights(gen)
    with open(os.path.join(OUT, 'config.json'), 'w') as f:
        json.dump(CONFIG, f, indent=2)
    with open(os.path.join(OUT, 'preprocessor_config.json'), 'w') as f:
        json.dump(PREPROCESSOR, f, indent=2)
    with open(os.path.join(OUT, 'processor_config.json'), 'w') as f:
        json.dump({'image_seq_len': IMAGE_SEQ_LEN, 'processor_class': 'Idefics3Processor'}, f, indent=2)
    with open(os.path.join(OUT, 'tokenizer.json'), 'w') as f:
        json.dump(tokenizer_json(), f)
    with open(os.path.join(OUT, 'tokenizer_config.json'), 'w') as f:
        json.dump({'eos_token': '<end_of_utterance>', 'pad_token': '<|im_start|>', 'bos_token': None,
                   'chat_template': CHAT_TEMPLATE, 'tokenizer_class': 'GPT2Tokenizer'}, f, indent=2)
    write_safetensors(os.path.join(OUT, 'model.safetensors'), {k: w.float() for k, w in W.items()})

    rng = np.random.default_rng(23)
    images = test_images(rng)
    prompts = [
        {  # multi-image, multi-turn
            'messages': [
                {'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', 'text': 'What is on the left?'}]},
                {'role': 'assistant', 'content': [{'type': 'text', 'text': 'A red bar.'}]},
                {'role': 'user', 'content': [{'type': 'text', 'text': 'And here? '}, {'type': 'image'}]},
            ],
            'images': [0, 1],
        },
        {'messages': [{'role': 'user', 'content': [{'type': 'image'}, {'type': 'text', 'text': 'Count.'}]}], 'images': [2]},
        {'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'No image here.'}]}], 'images': []},
    ]
    cases = []
    for pr in prompts:
        processed = [preprocess(images[i]) for i in pr['images']]
        text = render_chat(pr['messages'], True)
        expanded = expand(text, [(r, c) for _, r, c in processed])
        ids = encode(expanded)
        pixels = torch.tensor(np.concatenate([p for p, _, _ in processed]), dtype=torch.float64) if processed else None
        logits = forward(W, ids, pixels)
        cases.append({
            'messages': pr['messages'], 'images': pr['images'], 'text': text, 'expanded': expanded, 'ids': ids,
            'grids': [[r, c] for _, r, c in processed],
            'pixelValues': [p.astype(np.float64).round(7).tolist() for p, _, _ in processed],
            'logits': logits.tolist(),
        })
        print(f'case: {len(ids)} tokens, {sum(i == IMAGE_TOKEN_ID for i in ids)} image tokens, frames {[p.shape[0] for p, _, _ in processed]}')
    expected = {
        'model': 'tiny-idefics3', 'imageTokenId': IMAGE_TOKEN_ID,
        'images': [{'height': im.shape[0], 'width': im.shape[1], 'rgb': im.reshape(-1).tolist()} for im in images],
        'cases': cases,
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f)


if __name__ == '__main__':
    main()

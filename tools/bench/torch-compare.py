#!/usr/bin/env python3
"""PyTorch reference for the policy train step, to compare against tirl's tfjs backends.

Same model and step as `npm run bench -w @tirl/policy`: a Llama-style decoder (hidden 128,
2 layers, 4 heads, 4 KV heads, intermediate 344, vocab 256), batch 16 x seq 64, next-token
cross-entropy, AdamW. Prints ms per train step (median), or JSON with --json.

Usage: python3 tools/bench/torch-compare.py [--steps 20] [--threads N] [--json]
"""
import argparse
import json
import statistics
import sys
import time

CONFIG = dict(hidden=128, layers=2, heads=4, kv_heads=4, intermediate=344, vocab=256, batch=16, seq=64)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch default)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        message = "torch is missing: install PyTorch (pip install torch) to run this comparison"
        print(json.dumps({"error": message}) if args.json else message)
        return 0
    return run(args)


def build_model(torch, nn, F):
    c = CONFIG
    head_dim = c["hidden"] // c["heads"]

    class RMSNorm(nn.Module):
        def __init__(self, dim, eps=1e-6):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(dim))
            self.eps = eps

        def forward(self, x):
            return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)

    def rope(x, cos, sin):  # x: [B, H, T, D]
        x1, x2 = x[..., : head_dim // 2], x[..., head_dim // 2 :]
        return x * cos + torch.cat((-x2, x1), dim=-1) * sin

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            h, kv = c["hidden"], c["kv_heads"] * head_dim
            self.attn_norm = RMSNorm(h)
            self.q = nn.Linear(h, h, bias=False)
            self.k = nn.Linear(h, kv, bias=False)
            self.v = nn.Linear(h, kv, bias=False)
            self.o = nn.Linear(h, h, bias=False)
            self.mlp_norm = RMSNorm(h)
            self.gate = nn.Linear(h, c["intermediate"], bias=False)
            self.up = nn.Linear(h, c["intermediate"], bias=False)
            self.down = nn.Linear(c["intermediate"], h, bias=False)

        def forward(self, x, cos, sin, mask):
            b, t, _ = x.shape
            y = self.attn_norm(x)
            q = self.q(y).view(b, t, c["heads"], head_dim).transpose(1, 2)
            k = self.k(y).view(b, t, c["kv_heads"], head_dim).transpose(1, 2)
            v = self.v(y).view(b, t, c["kv_heads"], head_dim).transpose(1, 2)
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            # Explicit softmax attention (as tirl computes it), not a fused kernel.
            scores = (q @ k.transpose(-1, -2)) / head_dim**0.5 + mask
            att = torch.softmax(scores, dim=-1) @ v
            x = x + self.o(att.transpose(1, 2).reshape(b, t, -1))
            y = self.mlp_norm(x)
            return x + self.down(F.silu(self.gate(y)) * self.up(y))

    class Llama(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(c["vocab"], c["hidden"])
            self.blocks = nn.ModuleList([Block() for _ in range(c["layers"])])
            self.norm = RMSNorm(c["hidden"])
            self.head = nn.Linear(c["hidden"], c["vocab"], bias=False)

        def forward(self, ids):
            t = ids.shape[1]
            inv = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
            freqs = torch.outer(torch.arange(t).float(), inv)
            emb = torch.cat((freqs, freqs), dim=-1)
            cos, sin = emb.cos(), emb.sin()
            mask = torch.full((t, t), float("-inf")).triu(1)
            x = self.embed(ids)
            for block in self.blocks:
                x = block(x, cos, sin, mask)
            return self.head(self.norm(x))

    return Llama()


def run(args) -> int:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    c = CONFIG
    model = build_model(torch, nn, F)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))

    def step():
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times, losses = [], []
    for _ in range(args.steps):
        start = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - start) * 1000)
    params = sum(p.numel() for p in model.parameters())
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": "mkl" if torch.backends.mkl.is_available() else "other",
        "params": params,
        "config": c,
        "step_ms_median": statistics.median(times),
        "step_ms_min": min(times),
        "loss_first": losses[0],
        "loss_last": losses[-1],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"torch {result['torch']} ({result['threads']} threads), {params} params, B{c['batch']} T{c['seq']}")
        print(f"train step: median {result['step_ms_median']:.1f} ms, min {result['step_ms_min']:.1f} ms; loss {losses[0]:.3f} -> {losses[-1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

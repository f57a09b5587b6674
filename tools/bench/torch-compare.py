#!/usr/bin/env python3
"""PyTorch twin of the policy bench (`packages/policy/bench/policy.ts`), to compare against tirl's tfjs backends.

Same models and steps as `npm run bench -w @tirl/policy -- --config <toy|real>`:
- toy: Llama-style decoder (hidden 128, 2 layers, 4 heads, 4 KV heads, intermediate 344, vocab 256);
  train batch 16 x 64; generation batch 16, prompt 8, 64 new tokens.
- real: Qwen2.5-0.5B's layer shapes (hidden 896, 14 heads, 2 KV heads, intermediate 4864, q/k/v bias,
  vocab 151,936, tied head, theta 1e6) with 2 layers; train batch 4 x 256; generation batch 4, prompt 32,
  32 new tokens.
Train step: next-token cross-entropy, forward + backward + Adam (PyTorch eager, explicit softmax attention).
Generation: KV cache, sampling from softmax(logits) on every step.
Prints JSON lines with --json (one per measurement), in the policy bench's format.

Usage: python3 tools/bench/torch-compare.py [--config toy|real] [--sections train,generate] [--threads N] [--json]
"""
import argparse
import json
import statistics
import sys
import time

CONFIGS = {
    "toy": dict(
        label="llama h128 L2 heads4 kv4 ffn344 V256", hidden=128, layers=2, heads=4, kv_heads=4, intermediate=344, vocab=256,
        qkv_bias=False, tied=False, theta=10000.0, batch=16, seq=64, warmup=2, steps=5, gen_batch=16, prompt=8, new_tokens=64, gen_runs=3,
    ),
    "real": dict(
        label="qwen2.5-0.5b shapes h896 L2 heads14 kv2 ffn4864 V151936 tied", hidden=896, layers=2, heads=14, kv_heads=2,
        intermediate=4864, vocab=151936, qkv_bias=True, tied=True, theta=1000000.0, batch=4, seq=256, warmup=1, steps=2,
        gen_batch=4, prompt=32, new_tokens=32, gen_runs=3,
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="toy")
    parser.add_argument("--sections", default="gemm,train,generate")
    parser.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch default)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    unknown = set(args.sections.split(",")) - {"gemm", "train", "generate"}
    if unknown:
        parser.error(f"--sections: unknown {sorted(unknown)}; allowed: gemm, train, generate")
    try:
        import torch  # noqa: F401
    except ImportError:
        message = f"torch is missing for {sys.executable}: apt-get install -y python3-torch libopenblas0-pthread (then run /usr/bin/python3)"
        print(json.dumps({"error": message}) if args.json else message)
        return 0
    return run(args)


def build_model(torch, nn, F, c):
    head_dim = c["hidden"] // c["heads"]
    groups = c["heads"] // c["kv_heads"]

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
            self.q = nn.Linear(h, h, bias=c["qkv_bias"])
            self.k = nn.Linear(h, kv, bias=c["qkv_bias"])
            self.v = nn.Linear(h, kv, bias=c["qkv_bias"])
            self.o = nn.Linear(h, h, bias=False)
            self.mlp_norm = RMSNorm(h)
            self.gate = nn.Linear(h, c["intermediate"], bias=False)
            self.up = nn.Linear(h, c["intermediate"], bias=False)
            self.down = nn.Linear(c["intermediate"], h, bias=False)

        def forward(self, x, cos, sin, mask, past=None):
            b, t, _ = x.shape
            y = self.attn_norm(x)
            q = self.q(y).view(b, t, c["heads"], head_dim).transpose(1, 2)
            k = self.k(y).view(b, t, c["kv_heads"], head_dim).transpose(1, 2)
            v = self.v(y).view(b, t, c["kv_heads"], head_dim).transpose(1, 2)
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            if past is not None:
                k, v = torch.cat((past[0], k), dim=2), torch.cat((past[1], v), dim=2)
            present = (k, v)
            if groups > 1:
                k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
            # Explicit softmax attention (as tirl's composite path computes it), not a fused kernel.
            scores = (q @ k.transpose(-1, -2)) / head_dim**0.5
            if mask is not None:
                scores = scores + mask
            att = torch.softmax(scores, dim=-1) @ v
            x = x + self.o(att.transpose(1, 2).reshape(b, t, -1))
            y = self.mlp_norm(x)
            return x + self.down(F.silu(self.gate(y)) * self.up(y)), present

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(c["vocab"], c["hidden"])
            self.blocks = nn.ModuleList([Block() for _ in range(c["layers"])])
            self.norm = RMSNorm(c["hidden"])
            self.head = nn.Linear(c["hidden"], c["vocab"], bias=False)
            if c["tied"]:
                self.head.weight = self.embed.weight
            inv = 1.0 / (c["theta"] ** (torch.arange(0, head_dim, 2).float() / head_dim))
            self.register_buffer("inv_freq", inv, persistent=False)

        def forward(self, ids, past=None):
            t = ids.shape[1]
            start = 0 if past is None else past[0][0].shape[2]
            freqs = torch.outer(torch.arange(start, start + t).float(), self.inv_freq)
            emb = torch.cat((freqs, freqs), dim=-1)
            cos, sin = emb.cos(), emb.sin()
            mask = torch.full((t, start + t), float("-inf")).triu(start + 1) if t > 1 else None
            x = self.embed(ids)
            presents = []
            for i, block in enumerate(self.blocks):
                x, present = block(x, cos, sin, mask, None if past is None else past[i])
                presents.append(present)
            return self.head(self.norm(x)), presents

    return Model()


def report(args, c, name, value, unit, extra, **more):
    line = dict(name=name, value=round(value, 2), unit=unit, backend="torch", config=f"{c['label']}, {extra}", **more)
    print(json.dumps(line) if args.json else f"{name}: {line['value']} {unit} (torch; {line['config']})", flush=True)


def peak_rss_mb():
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run(args) -> int:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    c = CONFIGS[args.config]
    model = build_model(torch, nn, F, c)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02)
    tag = dict(torch=torch.__version__, threads=torch.get_num_threads(), blas=blas_name(torch))
    sections = args.sections.split(",")
    if "gemm" in sections:
        gemm(args, torch, c, tag)
    if "train" in sections:
        train(args, torch, F, model, c, tag)
    if "generate" in sections:
        generate(args, torch, model, c, tag)
    return 0


def blas_name(torch):
    """The BLAS library torch's matmuls load (Debian's torch uses the system libblas: OpenBLAS when installed)."""
    a = torch.ones(64, 64)
    (a @ a).sum().item()
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line or "mkl" in line}
        if libs:
            return ",".join(sorted(libs))
    except OSError:
        pass
    return "mkl" if torch.backends.mkl.is_available() else "unknown"


def gemm(args, torch, c, tag):
    m, k, n = c["batch"] * c["seq"], c["hidden"], c["intermediate"]
    a, b = torch.randn(m, k), torch.randn(n, k)
    rates = []
    for i in range(7):
        start = time.perf_counter()
        a @ b.t()
        if i > 1:
            rates.append(2 * m * k * n / 1e9 / (time.perf_counter() - start))
    report(args, c, "gemm_gflops", statistics.median(rates), "GFLOP/s", f"[{m}x{k}]·[{n}x{k}]ᵀ, median of 5", **tag)


def train(args, torch, F, model, c, tag):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))

    def step():
        logits, _ = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    losses = [step() for _ in range(c["warmup"])]
    times = []
    for _ in range(c["steps"]):
        start = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - start) * 1000)
    params = sum(p.numel() for p in model.parameters())
    report(args, c, "train_step_ms", statistics.median(times), "ms",
           f"batch {c['batch']}, seq {c['seq']}, forward+backward+Adam, median of {c['steps']}",
           params=params, peak_rss_mb=peak_rss_mb(), loss_first=round(losses[0], 4), loss_last=round(losses[-1], 4), **tag)


def generate(args, torch, model, c, tag):
    B, P, new = c["gen_batch"], c["prompt"], c["new_tokens"]
    prompts = torch.tensor([[(b * 31 + t * 7) % min(c["vocab"], 256) for t in range(P)] for b in range(B)])
    gen = torch.Generator().manual_seed(2)

    @torch.no_grad()
    def run_once():
        start = time.perf_counter()
        logits, past = model(prompts)
        produced = 0
        for step in range(new):
            probs = torch.softmax(logits[:, -1, :], dim=-1)
            token = torch.multinomial(probs, 1, generator=gen)
            produced += B
            if step + 1 < new:
                logits, past = model(token, past)
        return produced / (time.perf_counter() - start)

    run_once()
    rates = [run_once() for _ in range(c["gen_runs"])]
    report(args, c, "generate_tokens_per_s", statistics.median(rates), "tokens/s",
           f"batch {B}, prompt {P}, {new} new tokens, KV cache, median of {c['gen_runs']}", **tag)


if __name__ == "__main__":
    sys.exit(main())

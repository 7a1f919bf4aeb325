#!/usr/bin/env python3
"""The GPT training step with PyTorch on the CPU: the reference of the GPT benchmark
(org.bigmodels.bench.GptBenchmark, run by ./course bench).

The same architecture as the engine's org.bigmodels.nn.GPT (pre-norm blocks, GPT-2 attention with one qkv Linear,
GELU in its tanh form, an untied head with a bias), float32. Everything else comes from a checkpoint the Java side
writes (format v2, see lib/src/main/java/org/bigmodels/train/Checkpoint.java): the engine's initial weights under the
engine's names (Linear weights stored [in, out], transposed here to torch's [out, in]), the batches of token ids, and
the optimizer settings. So the first losses of both sides agree, which the benchmark checks.

One step, as the engine's Trainer does it: zero the gradients, forward, mean cross-entropy, loss.item(), backward,
clip the global gradient norm, AdamW step (weight decay on tensors of rank >= 2 only, the engine's rule).

As a server (--serve): reads commands from stdin, answers one JSON line each:
  "steps N"    -> {"seconds": s, "cpu_seconds": s, "losses": [...], "phases": {"forward + loss": s, "backward": s, "clip + optimizer": s}}
                  (N steps, continuing through the batches; phase times from the clock read between phases)
  "profile N"  -> {"families": {family: seconds}} from torch.profiler over N steps (self CPU time of the aten ops)
  "quit"
"""
import argparse
import json
import math
import struct
import sys
import time
import zlib

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"error": "PyTorch not installed: apt-get install python3-torch"}), flush=True)
    sys.exit(3)


# ---------------------------------------------------------------------------------------------- checkpoint v2

def read_checkpoint(path):
    """An ordered dict name -> tensor from a version-2 checkpoint (CRC32 checked)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"BMCK":
        raise ValueError(f"{path}: not a course checkpoint (magic {data[:4]!r})")
    version, count = struct.unpack(">ii", data[4:12])
    if version != 2:
        raise ValueError(f"{path}: expected format version 2, got {version}")
    crc, = struct.unpack(">q", data[-8:])
    if zlib.crc32(data[:-8]) & 0xFFFFFFFF != crc:
        raise ValueError(f"{path}: CRC32 mismatch (a damaged file)")
    pos = 12
    out = {}

    def utf():
        nonlocal pos
        n, = struct.unpack(">H", data[pos:pos + 2])
        s = data[pos + 2:pos + 2 + n].decode("utf-8")
        pos += 2 + n
        return s

    kinds = {"FLOAT": ("f", 4, torch.float32), "DOUBLE": ("d", 8, torch.float64), "LONG": ("q", 8, torch.int64)}
    for _ in range(count):
        name, tag = utf(), utf()
        rank, = struct.unpack(">i", data[pos:pos + 4])
        pos += 4
        shape = struct.unpack(f">{rank}q", data[pos:pos + 8 * rank])
        pos += 8 * rank
        fmt, width, dtype = kinds[tag]
        n = math.prod(shape)
        values = struct.unpack(f">{n}{fmt}", data[pos:pos + width * n])
        pos += width * n
        out[name] = torch.tensor(values, dtype=dtype).reshape(shape)
    return out


# ---------------------------------------------------------------------------------------------- the model

class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.n_head = n_head

    def forward(self, x):
        b, t, c = x.shape
        d = c // self.n_head
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, d).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        att = F.softmax(att.masked_fill(self.future[:t, :t], float("-inf")), dim=-1)
        return self.proj((att @ v).transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * n_embd, n_embd))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block_size, n_layer, n_head, n_embd):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head) for _ in range(n_layer)])
        self.lnF = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab)
        future = torch.triu(torch.ones(block_size, block_size, dtype=torch.bool), diagonal=1)
        for blk in self.blocks:
            blk.attn.future = future

    def forward(self, ids):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t))
        return self.head(self.lnF(self.blocks(x)))


def load_engine_weights(model, ckpt):
    """Copies 'model/<name>' entries into the twin; Linear weights arrive [in, out] and are transposed."""
    linear = {f"{n}.weight" for n, m in model.named_modules() if isinstance(m, nn.Linear)}
    names = dict(model.named_parameters())
    given = {k[len("model/"):]: v for k, v in ckpt.items() if k.startswith("model/")}
    if set(given) != set(names):
        raise ValueError(f"weights do not match the twin: missing {sorted(set(names) - set(given))}, "
                         f"extra {sorted(set(given) - set(names))}")
    with torch.no_grad():
        for n, p in names.items():
            w = given[n].t() if n in linear else given[n]
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(f"{n}: engine {tuple(w.shape)} vs twin {tuple(p.shape)}")
            p.copy_(w)


# ---------------------------------------------------------------------------------------------- op families

def family(op):
    """The benchmark's op family of an aten op name (the engine's table uses the same names)."""
    o = op.lower()
    if "bmm" in o or "softmax" in o and "log" not in o or "masked_fill" in o or "_softmax" in o:
        return "softmax" if "softmax" in o else "attention"
    if "layer_norm" in o:
        return "layer norm"
    if "gelu" in o:
        return "GELU"
    if o in ("aten::addmm", "aten::mm", "aten::matmul", "aten::linear", "aten::t", "aten::sum") or "addmm" in o:
        return "matmuls"
    if "adam" in o or "lerp" in o or "addcdiv" in o or "addcmul" in o or "sqrt" in o or "norm" in o \
            or "clip" in o or "_foreach" in o or "zero_" in o:
        return "optimizer"
    if "cross_entropy" in o or "nll" in o or "log_softmax" in o:
        return "loss"
    return "other"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--checkpoint", required=True, help="weights, batches and settings written by GptBenchmark")
    p.add_argument("--serve", action="store_true")
    p.add_argument("--steps", type=int, default=20, help="timed steps (standalone)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    ck = read_checkpoint(a.checkpoint)
    vocab, block_size, n_layer, n_head, n_embd = (int(v) for v in ck["bench/config"].tolist())
    lr, wd, b1, b2, eps, clip = (float(v) for v in ck["bench/optim"].tolist())
    ids, targets = ck["bench/ids"], ck["bench/targets"]  # [N, B, T] int64
    model = GPT(vocab, block_size, n_layer, n_head, n_embd)
    load_engine_weights(model, ck)
    decay = [q for q in model.parameters() if q.dim() >= 2]
    no_decay = [q for q in model.parameters() if q.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(b1, b2), eps=eps)
    state = {"step": 0}

    def steps(n, phases=None):
        losses = []
        for _ in range(n):
            i = state["step"] % ids.shape[0]
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            logits = model(ids[i])
            loss = F.cross_entropy(logits.reshape(-1, vocab), targets[i].reshape(-1))
            losses.append(loss.item())
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            t3 = time.perf_counter()
            if phases is not None:
                phases["forward + loss"] += t1 - t0
                phases["backward"] += t2 - t1
                phases["clip + optimizer"] += t3 - t2
            state["step"] += 1
        return losses

    def profile(n):
        from torch.profiler import profile as prof, ProfilerActivity
        with prof(activities=[ProfilerActivity.CPU]) as pr:
            steps(n)
        fam = {}
        for e in pr.key_averages():
            if e.key.startswith("aten::") or e.key.startswith("Optimizer") or "Backward" in e.key:
                f = family(e.key)
                fam[f] = fam.get(f, 0.0) + e.self_cpu_time_total / 1e6
        return fam

    info = {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "parameters": sum(q.numel() for q in model.parameters())}
    if a.serve:
        print(json.dumps({"ready": True, **info}), flush=True)
        for line in sys.stdin:
            cmd = line.split()
            if not cmd:
                continue
            if cmd[0] == "steps" and len(cmd) == 2:
                ph = {"forward + loss": 0.0, "backward": 0.0, "clip + optimizer": 0.0}
                t0, c0 = time.perf_counter(), time.thread_time()
                losses = steps(int(cmd[1]), ph)
                print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": time.thread_time() - c0,
                                  "losses": losses, "phases": ph}), flush=True)
            elif cmd[0] == "profile" and len(cmd) == 2:
                print(json.dumps({"families": profile(int(cmd[1]))}), flush=True)
            elif cmd[0] == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {line.strip()!r}; expected steps N, profile N or quit"}),
                      flush=True)
        return
    first = steps(3)
    t0 = time.perf_counter()
    steps(a.steps)
    s = (time.perf_counter() - t0) / a.steps
    print(json.dumps({**info, "first_losses": first, "seconds_per_step": s}), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""LeNet-300-100 (784-300-100-10, ReLU) on MNIST with PyTorch on the CPU: the reference of the
03-mlp-mnist benchmark (org.bigmodels.bench.LeNetBenchmark).

Same work as the Java sides: float32, batches of 128 made once before timing, for each batch
forward, mean cross-entropy, backward, plain SGD step. Reads datasets/mnist/*.gz (IDX format).

Standalone:   /usr/bin/python3 tools/bench/lenet_torch.py --threads 1 --epochs 3
              -> one warm-up epoch, then 3 timed ones; prints one JSON line.
As a server:  --serve: reads commands from stdin, one per line, and answers one JSON line each:
              "epoch" -> {"seconds": s, "loss": l};  "eval" -> {"test_accuracy": a};  "quit".
              The benchmark keeps one process alive so it can alternate epochs with the Java sides.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np

try:
    import torch
except ImportError:
    print(json.dumps({"error": "PyTorch not installed: apt-get install python3-torch"}), flush=True)
    sys.exit(3)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(root, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3, help="timed epochs after one warm-up (standalone)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--limit", type=int, default=60000, help="training examples used")
    p.add_argument("--data", default=os.path.join(here, "..", "..", "datasets", "mnist"))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load(a.data, "train")
    x, y = x[: a.limit], y[: a.limit]
    xt, yt = load(a.data, "test")
    perm = torch.randperm(len(x))
    batches = [(x[perm[i:i + a.batch]].contiguous(), y[perm[i:i + a.batch]].contiguous())
               for i in range(0, len(x), a.batch)]

    model = torch.nn.Sequential(torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100),
                                torch.nn.ReLU(), torch.nn.Linear(100, 10))
    opt = torch.optim.SGD(model.parameters(), lr=a.lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        t0, c0 = time.perf_counter(), time.thread_time()
        for xb, yb in batches:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return time.perf_counter() - t0, float(loss), time.thread_time() - c0

    def evaluate():
        with torch.no_grad():
            return float((model(xt).argmax(1) == yt).float().mean())

    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "examples": len(x)}
    if a.serve:
        print(json.dumps({"ready": True, **info}), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "epoch":
                s, l, c = epoch()
                print(json.dumps({"seconds": s, "loss": l, "cpu_seconds": c}), flush=True)
            elif cmd == "eval":
                print(json.dumps({"test_accuracy": evaluate()}), flush=True)
            elif cmd == "quit":
                break
            elif cmd:
                print(json.dumps({"error": f"unknown command {cmd!r}; expected epoch, eval or quit"}), flush=True)
        return
    epoch()  # warm-up, not timed
    times = [epoch()[0] for _ in range(a.epochs)]
    print(json.dumps({**info, "seconds_per_epoch": times, "median_seconds": statistics.median(times),
                      "test_accuracy": evaluate()}), flush=True)


if __name__ == "__main__":
    main()

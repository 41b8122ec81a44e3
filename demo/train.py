#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# Train the qaccel demo model: a 784-256-128-10 ReLU MLP that classifies
# Fashion-MNIST images, in float32 with numpy only (deterministic: fixed seed,
# one BLAS thread), and write its weights as safetensors.
#
# Usage: demo/train.py [--data DIR] [--out FILE] [--epochs N] [--seed S]
#
# The input of the network is the image's 784 pixels divided by 255 (row
# major, 28 x 28). The output file holds fc1.weight [256][784], fc1.bias,
# fc2.weight [128][256], fc2.bias, fc3.weight [10][128], fc3.bias, all F32,
# weights in [out_features][in_features] order; a ReLU follows every layer
# but the last. Documentation/tools.rst describes the convention that
# qaccel-demo and qaccel-quant read.

import os

# One BLAS thread: the training is then bit-reproducible on a machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = [784, 256, 128, 10]


def read_idx(path, want_magic):
    """Read an IDX file (optionally gzip-compressed) into a uint8 array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        sys.exit(f"train.py: {path}: truncated IDX header")
    magic = struct.unpack(">I", data[:4])[0]
    if magic != want_magic:
        sys.exit(f"train.py: {path}: not an IDX file of the expected kind "
                 f"(magic 0x{magic:08x}, want 0x{want_magic:08x})")
    ndim = magic & 0xff
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    count = int(np.prod(dims))
    off = 4 + 4 * ndim
    if len(data) - off != count:
        sys.exit(f"train.py: {path}: {len(data) - off} data bytes, "
                 f"header says {count}")
    return np.frombuffer(data, dtype=np.uint8, offset=off).reshape(dims)


def load(data_dir, kind):
    def find(name):
        for cand in (name + ".gz", name):
            p = os.path.join(data_dir, cand)
            if os.path.exists(p):
                return p
        sys.exit(f"train.py: {os.path.join(data_dir, name)}[.gz] not found "
                 "(install dataset-fashion-mnist or give --data)")
    x = read_idx(find(f"{kind}-images-idx3-ubyte"), 0x00000803)
    y = read_idx(find(f"{kind}-labels-idx1-ubyte"), 0x00000801)
    if x.shape[0] != y.shape[0] or x.shape[1:] != (28, 28):
        sys.exit(f"train.py: {kind}: images {x.shape} and labels {y.shape} "
                 "do not match")
    return x.reshape(-1, 784).astype(np.float32) / 255.0, y.astype(np.int64)


def forward(params, x):
    acts = [x]
    h = x
    n = len(params) // 2
    for i in range(n):
        w, b = params[2 * i], params[2 * i + 1]
        h = h @ w.T + b
        if i + 1 < n:
            h = np.maximum(h, 0.0)
        acts.append(h)
    return acts


def accuracy(params, x, y):
    correct = 0
    for i in range(0, len(x), 2000):
        logits = forward(params, x[i:i + 2000])[-1]
        correct += int((logits.argmax(axis=1) == y[i:i + 2000]).sum())
    return correct / len(x)


def write_safetensors(path, tensors, metadata):
    """Write (name, float32 array) pairs in the safetensors format."""
    header = {"__metadata__": metadata}
    blobs = []
    off = 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr, dtype="<f4")
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)   # data starts 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--out", default=os.path.join(HERE, "fashion_mnist_mlp.safetensors"))
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=20260)
    args = ap.parse_args()
    if args.epochs < 1 or args.batch < 1 or not args.lr > 0:
        sys.exit("train.py: --epochs, --batch and --lr must be positive")

    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    rng = np.random.default_rng(args.seed)

    # He initialisation, zero bias; Adam with a cosine learning rate.
    params = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:]):
        params.append((rng.standard_normal((fan_out, fan_in)) *
                       np.sqrt(2.0 / fan_in)).astype(np.float32))
        params.append(np.zeros(fan_out, dtype=np.float32))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps, wd = 0.9, 0.999, 1e-8, 1e-4
    steps_per_epoch = (len(xtr) + args.batch - 1) // args.batch
    total = args.epochs * steps_per_epoch
    step = 0
    nl = len(LAYERS) - 1

    for epoch in range(args.epochs):
        t0 = time.time()
        order = rng.permutation(len(xtr))
        loss_sum = 0.0
        for s in range(steps_per_epoch):
            idx = order[s * args.batch:(s + 1) * args.batch]
            x, y = xtr[idx], ytr[idx]
            acts = forward(params, x)
            logits = acts[-1]
            logits = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            loss_sum += float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())
            g = p
            g[np.arange(len(y)), y] -= 1.0
            g /= len(y)
            grads = [None] * len(params)
            for i in reversed(range(nl)):
                grads[2 * i] = g.T @ acts[i] + wd * params[2 * i]
                grads[2 * i + 1] = g.sum(axis=0)
                if i > 0:
                    g = (g @ params[2 * i]) * (acts[i] > 0)
            step += 1
            lr = args.lr * 0.5 * (1.0 + np.cos(np.pi * (step - 1) / total))
            for j, (pj, gj) in enumerate(zip(params, grads)):
                m[j] = beta1 * m[j] + (1 - beta1) * gj
                v[j] = beta2 * v[j] + (1 - beta2) * gj * gj
                mh = m[j] / (1 - beta1 ** step)
                vh = v[j] / (1 - beta2 ** step)
                pj -= (lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        acc = accuracy(params, xte, yte)
        print(f"epoch {epoch + 1:2d}/{args.epochs}: loss {loss_sum / steps_per_epoch:.4f}"
              f"  test accuracy {100 * acc:.2f}%  ({time.time() - t0:.1f} s)",
              flush=True)

    acc = accuracy(params, xte, yte)
    tensors = []
    for i in range(nl):
        tensors.append((f"fc{i + 1}.weight", params[2 * i]))
        tensors.append((f"fc{i + 1}.bias", params[2 * i + 1]))
    meta = {
        "format": "qaccel-mlp",
        "architecture": "-".join(str(n) for n in LAYERS) + " relu",
        "input": "pixels/255",
        "dataset": "fashion-mnist",
        "test_accuracy": f"{100 * acc:.2f}",
        "seed": str(args.seed),
        "epochs": str(args.epochs),
    }
    write_safetensors(args.out, tensors, meta)
    print(f"wrote {args.out}: float test accuracy {100 * acc:.2f}%")


if __name__ == "__main__":
    main()

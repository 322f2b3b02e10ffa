#!/usr/bin/env python3
"""Checks gradfold's weights.safetensors from outside: loads it with Python's
safetensors into NumPy, runs the MLP forward (x @ W + b per dense layer, the
activation between layers, none after the last) and compares the result with the
predictions gradfold made for the same inputs.

Usage:
  check_safetensors.py WEIGHTS CASES --layers dense1,dense2,dense3 --activation relu [--tolerance 1e-4]

CASES is a safetensors file holding "x" (F32 [rows, in]), "expected" (F32 [rows, out]:
gradfold's outputs for x) and optionally "labels" (F32 [rows] class indices: then both
accuracies are printed). Prints the max abs difference; exits 1 when it exceeds the tolerance, 2 when
the files do not fit the layers.
"""

import argparse
import sys

import numpy as np
from safetensors.numpy import load_file

ACTIVATIONS = {
    "relu": lambda h: np.maximum(h, 0),
    "tanh": np.tanh,
    "sigmoid": lambda h: 1 / (1 + np.exp(-h)),
    "identity": lambda h: h,
}


def forward(weights, layers, activation, x):
    h = x.astype(np.float64)
    for i, layer in enumerate(layers):
        w, b = weights[f"{layer}/W"], weights[f"{layer}/b"]
        if w.ndim != 2 or b.shape != (w.shape[1],) or h.shape[1] != w.shape[0]:
            raise ValueError(f"layer {layer}: W {w.shape}, b {b.shape} do not fit an input of {h.shape[1]} features")
        h = h @ w.astype(np.float64) + b.astype(np.float64)
        if i + 1 < len(layers):
            h = ACTIVATIONS[activation](h)
    return h


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weights")
    parser.add_argument("cases")
    parser.add_argument("--layers", required=True, help="dense layer names in order, comma-separated (params <name>/W, <name>/b)")
    parser.add_argument("--activation", default="relu", choices=sorted(ACTIVATIONS))
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    weights = load_file(args.weights)
    cases = load_file(args.cases)
    layers = args.layers.split(",")
    missing = [n for layer in layers for n in (f"{layer}/W", f"{layer}/b") if n not in weights]
    if missing:
        print(f"weights file has no {missing}; it has {sorted(weights)}", file=sys.stderr)
        return 2
    for name, t in weights.items():
        if t.dtype != np.float32:
            print(f"{name} has dtype {t.dtype}, expected float32", file=sys.stderr)
            return 2
    x, expected = cases["x"], cases["expected"]
    try:
        got = forward(weights, layers, args.activation, x)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    if got.shape != expected.shape:
        print(f"numpy's outputs have shape {got.shape}, gradfold's {expected.shape}", file=sys.stderr)
        return 2
    diff = float(np.max(np.abs(got - expected.astype(np.float64))))
    print(f"tensors: {len(weights)}; rows: {x.shape[0]}; max abs diff: {diff:.3e}")
    if "labels" in cases:
        labels = cases["labels"].astype(np.int64)
        print(f"accuracy numpy: {np.mean(np.argmax(got, axis=1) == labels):.4f}, gradfold: {np.mean(np.argmax(expected, axis=1) == labels):.4f}")
    if not diff <= args.tolerance:
        print(f"max abs diff {diff:.3e} exceeds the tolerance {args.tolerance:g}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

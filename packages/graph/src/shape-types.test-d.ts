/**
 * Static shape types: inferred result shapes (expectTypeOf) and rejected mistakes
 * (`// @ts-expect-error`: if a rule stops rejecting, the directive is unused and the
 * type check fails). Every mistake is tried as a method and as a function.
 */
import { describe, expectTypeOf, test } from "vitest";
import {
  broadcastTo,
  cast,
  concat,
  gather,
  grad,
  input,
  logsumexp,
  matmul,
  max,
  mean,
  min,
  mul,
  add,
  sub,
  oneHot,
  param,
  permute,
  reshape,
  slice,
  softmax,
  softmaxCrossEntropy,
  sum,
  transpose,
  where,
  type Tensor,
} from "./index.ts";

const x = input("x", ["batch", 784]);
const W = param("W", [784, 256]);
const b = param("b", [256]);
const m34 = input("m34", [3, 4]);
const v5 = input("v5", [5]);
const labels = input("labels", ["batch"], "int32");

describe("inferred shapes", () => {
  test("leaves", () => {
    expectTypeOf(x).toEqualTypeOf<Tensor<["batch", 784], "float32">>();
    expectTypeOf(labels).toEqualTypeOf<Tensor<["batch"], "int32">>();
    expectTypeOf(W).toEqualTypeOf<Tensor<[784, 256], "float32">>();
  });

  test("matmul, 2-D and batched, method and function", () => {
    expectTypeOf(x.matmul(W)).toEqualTypeOf<Tensor<["batch", 256], "float32">>();
    expectTypeOf(matmul(x, W)).toEqualTypeOf<Tensor<["batch", 256], "float32">>();
    const a = input("a", [8, 3, 4]);
    const c = input("c", [4, 5]);
    expectTypeOf(a.matmul(c)).toEqualTypeOf<Tensor<[8, 3, 5], "float32">>();
    expectTypeOf(matmul(input("d", [2, 1, 3, 4]), input("e", [7, 4, 6]))).toEqualTypeOf<Tensor<[2, 7, 3, 6], "float32">>();
  });

  test("elementwise broadcasting, with 1s and scalars", () => {
    expectTypeOf(x.matmul(W).add(b)).toEqualTypeOf<Tensor<["batch", 256], "float32">>();
    expectTypeOf(input("p", [3, 1]).mul(input("q", [1, 4]))).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    expectTypeOf(input("p", [1, 4]).add(input("q", [5, 1, 1]))).toEqualTypeOf<Tensor<[5, 1, 4], "float32">>();
    expectTypeOf(add(input("p", [3, 1]), input("q", [4]))).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    expectTypeOf(m34.mul(2)).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    expectTypeOf(sub(m34, 1)).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    expectTypeOf(m34.less(0)).toEqualTypeOf<Tensor<[3, 4], "bool">>();
    expectTypeOf(where(m34.less(0), m34, 0)).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    expectTypeOf(m34.less(0).where(m34, input("r", [4]))).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    // @ts-expect-error only a bool tensor picks
    m34.where(m34, 0);
    // @ts-expect-error [3, 4] condition with a [5] branch
    m34.less(0).where(v5, 0);
  });

  test("reductions with axis, negative axis and keepdims", () => {
    const t = input("t", [2, 3, 4]);
    expectTypeOf(t.sum()).toEqualTypeOf<Tensor<[], "float32">>();
    expectTypeOf(t.sum(1)).toEqualTypeOf<Tensor<[2, 4], "float32">>();
    expectTypeOf(t.sum(-1)).toEqualTypeOf<Tensor<[2, 3], "float32">>();
    expectTypeOf(t.mean(1, true)).toEqualTypeOf<Tensor<[2, 1, 4], "float32">>();
    expectTypeOf(t.max([0, 2])).toEqualTypeOf<Tensor<[3], "float32">>();
    expectTypeOf(t.min(undefined, true)).toEqualTypeOf<Tensor<[1, 1, 1], "float32">>();
    expectTypeOf(sum(t, 0)).toEqualTypeOf<Tensor<[3, 4], "float32">>();
    expectTypeOf(mean(t, -2, true)).toEqualTypeOf<Tensor<[2, 1, 4], "float32">>();
    expectTypeOf(logsumexp(t, [-1])).toEqualTypeOf<Tensor<[2, 3], "float32">>();
    expectTypeOf(max(t)).toEqualTypeOf<Tensor<[], "float32">>();
    expectTypeOf(min(t, 1)).toEqualTypeOf<Tensor<[2, 4], "float32">>();
    expectTypeOf(softmax(t, 1)).toEqualTypeOf<Tensor<[2, 3, 4], "float32">>();
  });

  test("transpose, permute, reshape, broadcastTo", () => {
    const t = input("t", [2, 3, 4]);
    expectTypeOf(t.transpose()).toEqualTypeOf<Tensor<[4, 3, 2], "float32">>();
    expectTypeOf(t.permute([1, 2, 0])).toEqualTypeOf<Tensor<[3, 4, 2], "float32">>();
    expectTypeOf(t.transpose([0, 2, 1])).toEqualTypeOf<Tensor<[2, 4, 3], "float32">>();
    expectTypeOf(transpose(t, [2, 0, 1])).toEqualTypeOf<Tensor<[4, 2, 3], "float32">>();
    expectTypeOf(transpose(W)).toEqualTypeOf<Tensor<[256, 784], "float32">>();
    expectTypeOf(t.reshape([6, 4])).toEqualTypeOf<Tensor<[6, 4], "float32">>();
    expectTypeOf(reshape(t, [-1, 4])).toEqualTypeOf<Tensor<[number, 4], "float32">>();
    expectTypeOf(b.broadcastTo(["batch", 256])).toEqualTypeOf<Tensor<["batch", 256], "float32">>();
    expectTypeOf(broadcastTo(input("o", [3, 1]), [2, 3, 5])).toEqualTypeOf<Tensor<[2, 3, 5], "float32">>();
  });

  test("concat, slice, gather, oneHot, cast", () => {
    expectTypeOf(m34.concat([input("n", [3, 2])], 1)).toEqualTypeOf<Tensor<[3, number], "float32">>();
    expectTypeOf(concat([m34, input("n", [5, 4])])).toEqualTypeOf<Tensor<[number, 4], "float32">>();
    expectTypeOf(m34.slice([1, 0], [2, -1])).toEqualTypeOf<Tensor<[2, 4], "float32">>();
    expectTypeOf(slice(m34, [0, 1], [3, 2])).toEqualTypeOf<Tensor<[3, 2], "float32">>();
    const emb = param("emb", [1000, 64]);
    const tokens = input("tokens", ["batch", 12], "int32");
    expectTypeOf(emb.gather(tokens)).toEqualTypeOf<Tensor<[1000, 64] extends infer _ ? ["batch", 12, 64] : never, "float32">>();
    expectTypeOf(gather(emb, tokens)).toEqualTypeOf<Tensor<["batch", 12, 64], "float32">>();
    expectTypeOf(m34.gather(input("i", [7], "int32"), 1)).toEqualTypeOf<Tensor<[3, 7], "float32">>();
    expectTypeOf(labels.oneHot(10)).toEqualTypeOf<Tensor<["batch", 10], "float32">>();
    expectTypeOf(oneHot(labels, 10)).toEqualTypeOf<Tensor<["batch", 10], "float32">>();
    expectTypeOf(cast(labels, "float32")).toEqualTypeOf<Tensor<["batch"], "float32">>();
  });

  test("softmaxCrossEntropy is per example", () => {
    expectTypeOf(softmaxCrossEntropy(x.matmul(W), labels)).toEqualTypeOf<Tensor<["batch"], "float32">>();
    expectTypeOf(x.matmul(W).softmaxCrossEntropy(labels)).toEqualTypeOf<Tensor<["batch"], "float32">>();
    // @ts-expect-error labels [7] for logits [8, 10]
    input("lg", [8, 10]).softmaxCrossEntropy(input("l7", [7], "int32"));
  });

  test("permute as a function, pad as a method", () => {
    const t = input("t", [2, 3, 4]);
    expectTypeOf(permute(t, [2, 1, 0])).toEqualTypeOf<Tensor<[4, 3, 2], "float32">>();
    // @ts-expect-error rank 3, perm of 2
    permute(t, [1, 0]);
    // @ts-expect-error rank 2, padding for 1 axis
    m34.pad([1], [1, 1]);
  });

  test("grad returns each param's own type", () => {
    const loss = x.matmul(W).add(b).relu().sum();
    const [gW, gb] = grad(loss, [W, b]);
    expectTypeOf(gW).toEqualTypeOf<Tensor<[784, 256], "float32">>();
    expectTypeOf(gb).toEqualTypeOf<Tensor<[256], "float32">>();
  });
});

describe("rejected mistakes", () => {
  test("elementwise shapes that do not broadcast", () => {
    // @ts-expect-error [3, 4] + [5]
    m34.add(v5);
    // @ts-expect-error [3, 4] + [5]
    add(m34, v5);
    // @ts-expect-error [3, 4] * [3]
    mul(m34, input("v3", [3]));
    // @ts-expect-error [3, 4] < [5]
    m34.less(v5);
  });

  test("dtype mismatch: float32 with int32", () => {
    const i34 = input("i34", [3, 4], "int32");
    // @ts-expect-error float32 + int32
    m34.add(i34);
    // @ts-expect-error float32 + int32
    add(m34, i34);
    // @ts-expect-error int32 * float32
    mul(i34, m34);
  });

  test("matmul inner dims, also batched", () => {
    // @ts-expect-error [3, 4] x [5, 2]
    m34.matmul(input("k", [5, 2]));
    // @ts-expect-error [3, 4] x [5, 2]
    matmul(m34, input("k", [5, 2]));
    // @ts-expect-error [8, 3, 4] x [8, 3, 4]
    input("a", [8, 3, 4]).matmul(input("a2", [8, 3, 4]));
    // @ts-expect-error batch dims 2 vs 3
    matmul(input("a", [2, 3, 4]), input("c", [3, 4, 5]));
    // @ts-expect-error a vector is not a matrix
    v5.matmul(input("k", [5, 2]));
  });

  test("reduction axis out of range", () => {
    // @ts-expect-error axis 2 of a rank-2 tensor
    m34.sum(2);
    // @ts-expect-error axis -3 of a rank-2 tensor
    m34.mean(-3);
    // @ts-expect-error axis 5 in a list
    m34.max([0, 5]);
    // @ts-expect-error axis 2 of a rank-2 tensor
    sum(m34, 2);
    // @ts-expect-error axis -3 of a rank-2 tensor
    mean(m34, -3, true);
    // @ts-expect-error axis 2 of a rank-2 tensor
    logsumexp(m34, [2]);
    // @ts-expect-error axis 2 of a rank-2 tensor
    m34.softmax(2);
    // @ts-expect-error axis 2 of a rank-2 tensor
    softmax(m34, 2);
  });

  test("permute of the wrong length", () => {
    // @ts-expect-error rank 2, perm of 3
    m34.permute([0, 1, 2]);
    // @ts-expect-error rank 2, perm of 1
    m34.transpose([0]);
    // @ts-expect-error rank 2, perm of 3
    transpose(m34, [1, 0, 2]);
    // @ts-expect-error axis 2 does not exist
    m34.permute([0, 2]);
  });

  test("broadcastTo an incompatible target", () => {
    // @ts-expect-error [3, 4] to [3, 5]
    m34.broadcastTo([3, 5]);
    // @ts-expect-error [3, 4] to [4]
    m34.broadcastTo([4]);
    // @ts-expect-error [3, 4] to [2, 5, 4]
    broadcastTo(m34, [2, 5, 4]);
  });

  test("concat of operands that differ off the axis", () => {
    // @ts-expect-error [3, 4] with [2, 5] on axis 0
    m34.concat([input("n", [2, 5])], 0);
    // @ts-expect-error rank 2 with rank 1
    m34.concat([v5]);
    // @ts-expect-error [3, 4] with [2, 5] on axis 0
    concat([m34, input("n", [2, 5])], 0);
    // @ts-expect-error axis 2 of rank 2
    concat([m34, m34], 2);
  });

  test("slice with the wrong number of entries", () => {
    // @ts-expect-error rank 2, size of 1
    m34.slice([0], [2]);
    // @ts-expect-error rank 2, begin of 3
    m34.slice([0, 0, 0], [1, 1]);
    // @ts-expect-error rank 2, size of 3
    slice(m34, [0, 0], [1, 1, 1]);
  });

  test("gather with float indices", () => {
    // @ts-expect-error float32 indices
    m34.gather(input("fi", [2]));
    // @ts-expect-error float32 indices
    gather(m34, input("fi", [2]));
    // @ts-expect-error axis 2 of rank 2
    m34.gather(input("ii", [2], "int32"), 2);
  });

  test("symbolic dims only match themselves (or 1)", () => {
    // @ts-expect-error "batch" vs "time"
    input("bx", ["batch", 3]).add(input("tx", ["time", 3]));
    // @ts-expect-error "batch" vs 4 on the inner dim
    input("bx", [2, "batch"]).matmul(input("w", [4, 2]));
  });

  test("perm with a repeated axis", () => {
    // @ts-expect-error axis 0 twice, axis 1 missing
    m34.permute([0, 0]);
  });

  test("leaves, where and the loss", () => {
    // @ts-expect-error params need concrete dims
    param("P", ["batch", 3]);
    // @ts-expect-error not a dtype
    input("f64", [3], "float64");
    // @ts-expect-error the condition must be bool
    where(m34, m34, 0);
    // @ts-expect-error branches of different dtypes
    where(m34.less(0), m34, input("i34", [3, 4], "int32"));
    // @ts-expect-error labels must be int32
    softmaxCrossEntropy(x.matmul(W), input("fl", ["batch"]));
    // @ts-expect-error labels must have the logits' leading shape
    softmaxCrossEntropy(input("lg", [8, 10]), input("l7", [7], "int32"));
  });

  test("oneHot of floats", () => {
    // @ts-expect-error float32 labels
    m34.oneHot(3);
    // @ts-expect-error float32 labels
    oneHot(m34, 3);
  });
});

// Shape and dtype mistakes the compiler must reject. Not part of the package's own
// type check: shape-mistakes.test.ts compiles this file and expects an error on every
// line marked `// error: <text>`, with <text> in the message, and on no other line.
import {
  add,
  broadcastTo,
  concat,
  gather,
  input,
  logsumexp,
  matmul,
  mean,
  mul,
  oneHot,
  param,
  permute,
  slice,
  softmax,
  softmaxCrossEntropy,
  sum,
  transpose,
  where,
} from "../src/index.ts";

const m34 = input("m34", [3, 4]);
const v5 = input("v5", [5]);
const i34 = input("i34", [3, 4], "int32");
const x = input("x", ["batch", 784]);
const W = param("W", [784, 256]);

// Correct code compiles: these lines must stay error-free.
m34.sum([0, -1]).add(1);
concat([m34, m34, m34], -1);
x.matmul(W).add(param("b", [256])).relu().sum(1, true);
matmul(input("a", [2, 1, 3, 4]), input("c", [7, 4, 6]));
m34.concat([input("n", [3, 2])], 1).slice([0, 1], [3, -1]).permute([1, 0]);
gather(param("emb", [10, 4]), input("tok", ["batch"], "int32"));

m34.add(v5); // error: operand shapes do not broadcast
add(m34, v5); // error: operand shapes do not broadcast
mul(m34, input("v3", [3])); // error: operand shapes do not broadcast
input("bx", ["batch", 3]).add(input("tx", ["time", 3])); // error: operand shapes do not broadcast
m34.add(i34); // error: "int32"
add(m34, i34); // error: "int32"
m34.matmul(input("k", [5, 2])); // error: matmul needs
matmul(m34, input("k", [5, 2])); // error: matmul needs
input("a", [8, 3, 4]).matmul(input("a2", [8, 3, 4])); // error: matmul needs
matmul(input("a", [2, 3, 4]), input("c", [3, 4, 5])); // error: matmul needs
m34.sum(2); // error: axis out of range
m34.mean(-3); // error: axis out of range
m34.max([0, 5]); // error: axis out of range
m34.sum([1, -1]); // error: an axis is listed twice
sum(m34, 2); // error: axis out of range
mean(m34, -3, true); // error: axis out of range
logsumexp(m34, [2]); // error: axis out of range
softmax(m34, 2); // error: axis out of range
m34.permute([0, 1, 2]); // error: perm must list every axis
m34.permute([0, 0]); // error: perm must list every axis
transpose(m34, [1, 0, 2]); // error: perm must list every axis
permute(m34, [1]); // error: perm must list every axis
m34.broadcastTo([3, 5]); // error: does not broadcast to the target
broadcastTo(m34, [2, 5, 4]); // error: does not broadcast to the target
m34.broadcastTo([4]); // error: lower rank than the operand
m34.concat([input("n", [2, 5])], 0); // error: concat operands must agree
concat([m34, input("n", [2, 5])], 0); // error: concat operands must agree
concat([m34, m34], 2); // error: axis out of range
concat([m34, i34], 0); // error: must share one dtype
m34.slice([0], [2]); // error: one entry per axis
slice(m34, [0, 0], [1, 1, 1]); // error: one entry per axis
m34.gather(input("fi", [2])); // error: "int32"
gather(m34, input("fi", [2])); // error: "int32"
m34.oneHot(3); // error: "int32"
oneHot(m34, 3); // error: "int32"
where(m34, m34, 0); // error: "bool"
softmaxCrossEntropy(input("lg", [8, 10]), input("l7", [7], "int32")); // error: [7]
param("P", ["batch", 3]); // error: string

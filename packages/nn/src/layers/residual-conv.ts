import { add, relu } from "@gradfold/graph";
import { sameShape } from "@gradfold/graph/internal";
import { heNormal } from "../init/initializers.ts";
import { hashString } from "../init/prng.ts";
import { conv2d } from "./conv2d.ts";
import { layerOf, type FloatTensor, type Layer } from "./layer.ts";
import { batchNorm } from "./normalization.ts";

export interface ResidualConvOptions {
  /** Prefix of every param: `${name}/conv1/W`, `${name}/bn1/gamma`, …; default "residualConv". */
  name?: string;
  /** Output channels; default the input's. */
  filters?: number;
  /** Stride of the first conv (and the projection); 2 halves the spatial size. Default 1. */
  strides?: number;
  kernelSize?: number;
  /** Batch norm after each conv (default true); in training mode unless `training` is false. */
  batchNorm?: boolean;
  training?: boolean;
}

/**
 * ResNet's basic block (He et al. 2016) on NHWC x: relu(F(x) + shortcut(x)) with
 * F = conv → BN → relu → conv → BN ("same" padding). The shortcut is the identity
 * when shapes agree, else a strided 1×1 conv (+ BN), He's option B. The identity path
 * carries the gradient through unchanged, which is why deep stacks of these train.
 */
export function residualConvBlock(x: FloatTensor, options: ResidualConvOptions = {}): Layer {
  const { name = "residualConv", strides = 1, kernelSize = 3, training = true } = options;
  const channels = x.shape[x.shape.length - 1] as number;
  const filters = options.filters ?? channels;
  const useBn = options.batchNorm ?? true;
  const parts: Layer[] = [];
  // He init: every conv here feeds a ReLU (through BN); BN's shift makes a conv bias redundant.
  const convBn = (h: FloatTensor, part: string, bnName: string, k: number, s: number): FloatTensor => {
    const convName = `${name}/${part}`;
    const conv = conv2d(h, filters, { name: convName, kernelSize: k, strides: s, padding: "same", bias: !useBn, init: heNormal({ seed: hashString(convName) }) });
    parts.push(conv);
    if (!useBn) return conv.output as FloatTensor;
    const bn = batchNorm(conv.output as FloatTensor, { name: `${name}/${bnName}`, training });
    parts.push(bn);
    return bn.output;
  };
  const h = relu(convBn(x, "conv1", "bn1", kernelSize, strides)) as FloatTensor;
  const f = convBn(h, "conv2", "bn2", kernelSize, 1);
  const shortcut = sameShape(f.shape, x.shape) ? x : convBn(x, "projection", "projection/bn", 1, strides);
  return layerOf(relu(add(f, shortcut)) as FloatTensor, parts);
}

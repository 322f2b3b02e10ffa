import { GraphError, type AnyTensor } from "@gradfold/graph";
import type { OpParams } from "@gradfold/graph/internal";
import type { LowerContext } from "./lowerings.ts";

/**
 * Conv and pooling for ONNX. gradfold is NHWC with [kh, kw, in/groups, out] filters;
 * ONNX's Conv and pools are NCHW with OIHW filters, so each op is wrapped in the
 * layout transposes (onnxruntime folds them into its own layout choice).
 */

type Window = OpParams["conv2d"] | OpParams["maxPool2d"];

const toNchw = (ctx: LowerContext, x: string) => ctx.node("Transpose", [x], [{ name: "perm", ints: [0, 3, 1, 2] }]);
const toNhwc = (ctx: LowerContext, x: string) => ctx.node("Transpose", [x], [{ name: "perm", ints: [0, 2, 3, 1] }]);
/** [kh, kw, cg, o] → [o, cg, kh, kw]: Conv's OIHW, and ConvTranspose's (C, M/group, kH, kW) alike. */
const toOihw = (ctx: LowerContext, w: string) => ctx.node("Transpose", [w], [{ name: "perm", ints: [3, 2, 0, 1] }]);

/** ONNX orders pads as [top, left, bottom, right]. */
function windowAttrs(p: Window) {
  const [top, bottom, left, right] = p.pads;
  return [
    { name: "strides", ints: [...p.strides] },
    { name: "pads", ints: [top, left, bottom, right] },
  ];
}

export function lowerConv2d(ctx: LowerContext, n: AnyTensor & { params: OpParams["conv2d"] }, [x, w]: readonly string[]): string {
  const p = n.params;
  const attrs = [...windowAttrs(p), { name: "dilations", ints: [...p.dilations] }, { name: "group", int: p.groups }];
  return toNhwc(ctx, ctx.node("Conv", [toNchw(ctx, x), toOihw(ctx, w)], attrs));
}

/** ConvTranspose with output_padding chosen so the result is exactly the conv's input size. */
export function lowerConv2dTranspose(ctx: LowerContext, n: AnyTensor & { params: OpParams["conv2dTranspose"] }, [g, w]: readonly string[]): string {
  const p = n.params;
  const [, oh, ow] = n.inputs[0].shape as readonly number[];
  const [kh, kw] = n.inputs[1].shape as readonly number[];
  const reach = (out: number, k: number, i: 0 | 1) => p.strides[i] * (out - 1) + (k - 1) * p.dilations[i] + 1 - p.pads[2 * i] - p.pads[2 * i + 1];
  const outputPadding = [p.inputSize[0] - reach(oh, kh, 0), p.inputSize[1] - reach(ow, kw, 1)];
  const attrs = [...windowAttrs(p), { name: "dilations", ints: [...p.dilations] }, { name: "group", int: p.groups }, { name: "output_padding", ints: outputPadding }];
  return toNhwc(ctx, ctx.node("ConvTranspose", [toNchw(ctx, g), toOihw(ctx, w)], attrs));
}

/** MaxPool of x itself; the two-operand form (values at another tensor's argmax) only arises in gradients. */
export function lowerMaxPool2d(ctx: LowerContext, n: AnyTensor & { params: OpParams["maxPool2d"] }, [x]: readonly string[]): string {
  if (n.inputs[0] !== n.inputs[1]) throw new GraphError("toOnnx: maxPool2d of values at another tensor's argmax cannot be exported (it only arises in gradients)");
  const p = n.params;
  const attrs = [{ name: "kernel_shape", ints: [...p.kernel] }, ...windowAttrs(p), { name: "dilations", ints: [...p.dilations] }];
  return toNhwc(ctx, ctx.node("MaxPool", [toNchw(ctx, x)], attrs));
}

/** AveragePool, counting the padding or not as the op says; opset 17's AveragePool has no dilations. */
export function lowerAvgPool2d(ctx: LowerContext, n: AnyTensor & { params: OpParams["avgPool2d"] }, [x]: readonly string[]): string {
  const p = n.params;
  if (p.dilations.some((d) => d !== 1))
    throw new GraphError(`toOnnx: avgPool2d with dilations ${JSON.stringify(p.dilations)} cannot be exported (opset 17's AveragePool has none)`);
  const attrs = [{ name: "kernel_shape", ints: [...p.kernel] }, ...windowAttrs(p), { name: "count_include_pad", int: p.countIncludePad ? 1 : 0 }];
  return toNhwc(ctx, ctx.node("AveragePool", [toNchw(ctx, x)], attrs));
}

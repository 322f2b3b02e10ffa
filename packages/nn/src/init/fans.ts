/**
 * Fan-in and fan-out of a weight shape, in the layout gradfold's layers use:
 * a dense kernel is [in, out] (y = x·W), so fan-in is the second-to-last axis and
 * fan-out the last. Leading axes (a convolution's receptive field) multiply both,
 * as in Keras. A vector counts as its own fan-in and fan-out; a scalar as 1.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

export type FanMode = "fanIn" | "fanOut" | "fanAvg";

export function fanOf(shape: readonly number[], mode: FanMode): number {
  const { fanIn, fanOut } = fans(shape);
  const fan = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
  if (!(fan > 0)) throw new Error(`initializer: ${mode} of shape [${shape.join(", ")}] is ${fan}; it must be positive`);
  return fan;
}

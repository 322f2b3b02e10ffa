import type { ParamData } from "./problem.ts";

/** He-uniform values (suited to ReLU): uniform in ±√(6 / fanIn), drawn from `random` in order. */
export function heUniform(shape: readonly number[], fanIn: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / fanIn);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * limit;
  return data;
}

/** A dense stack's params W1, b1, W2, b2, …: He-uniform weights [in, out], zero biases. */
export function denseParams(layers: readonly number[], random: () => number): ParamData[] {
  const params: ParamData[] = [];
  for (let l = 0; l + 1 < layers.length; l++) {
    const shape = [layers[l], layers[l + 1]];
    params.push({ name: `W${l + 1}`, shape, data: heUniform(shape, layers[l], random) });
    params.push({ name: `b${l + 1}`, shape: [layers[l + 1]], data: new Float32Array(layers[l + 1]) });
  }
  return params;
}

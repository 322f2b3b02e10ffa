import { input, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import { seededRandom } from "./problem.ts";

export interface LossGraph {
  readonly inputs: readonly AnyTensor[];
  readonly loss: AnyTensor;
  readonly params: readonly AnyTensor[];
}

export interface ResidualShape {
  readonly features: number;
  readonly width: number;
  readonly depth: number;
  readonly classes: number;
}

/** Issue 9's compile-time subject: a stem, `depth` residual layers, a head. */
export const residual20: ResidualShape = { features: 784, width: 256, depth: 20, classes: 10 };

/** Initial values, drawn before any timing starts so the timer sees graph work only. */
export function residualInit(shape: ResidualShape, seed = 99): Map<string, Float32Array> {
  const random = seededRandom(seed);
  const init = new Map<string, Float32Array>();
  const weights = (name: string, fanIn: number, fanOut: number, scale: number) => {
    const w = new Float32Array(fanIn * fanOut);
    const limit = scale * Math.sqrt(6 / fanIn);
    for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * limit;
    init.set(name, w);
    init.set(name.replace("W", "b"), new Float32Array(fanOut));
  };
  weights("W_stem", shape.features, shape.width, 1);
  // Residual branches start small so the sum of 20 of them stays in range.
  for (let l = 1; l <= shape.depth; l++) weights(`W_res${l}`, shape.width, shape.width, 0.1);
  weights("W_head", shape.width, shape.classes, 1);
  return init;
}

/** h ← relu(x·W + b); then `depth` times h ← h + relu(h·W + b); logits = h·W + b; mean cross-entropy. */
export function buildResidualLoss(shape: ResidualShape, init: ReadonlyMap<string, Float32Array>): LossGraph {
  const x = input("x", ["batch", shape.features]);
  const labels = input("labels", ["batch"], "int32");
  const params: AnyTensor[] = [];
  const dense = (name: string, fanIn: number, fanOut: number) => {
    const W = param(name, [fanIn, fanOut], { init: init.get(name)! });
    const b = param(name.replace("W", "b"), [fanOut], { init: init.get(name.replace("W", "b"))! });
    params.push(W, b);
    return (h: AnyTensor): AnyTensor => h.matmul(W).add(b);
  };
  let h: AnyTensor = dense("W_stem", shape.features, shape.width)(x).relu();
  for (let l = 1; l <= shape.depth; l++) h = h.add(dense(`W_res${l}`, shape.width, shape.width)(h).relu());
  const logits = dense("W_head", shape.width, shape.classes)(h);
  return { inputs: [x, labels], loss: softmaxCrossEntropy(logits, labels).mean(), params };
}

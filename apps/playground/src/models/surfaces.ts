import type { AnyTensor } from "@gradfold/graph";
import type { OptimizerName } from "./optimizers.ts";

type Scalarish = AnyTensor;

/** A 2-D loss surface for the optimizer race: f as graph ops, so grad() differentiates it. */
export interface Surface {
  readonly name: string;
  readonly f: (x: Scalarish, y: Scalarish) => AnyTensor;
  readonly start: readonly [number, number];
  /** A global minimum (the saddle surface has two; this is the one its start point falls towards). */
  readonly minimum: readonly [number, number];
  /** Plot window: x from, x to, y from, y to. */
  /** Steps of the race. */
  readonly steps: number;
  readonly box: readonly [number, number, number, number];
  /** A learning rate per optimizer that makes a fair race on this surface. */
  readonly lr: Readonly<Record<OptimizerName, number>>;
  readonly note: string;
}

export const surfaces = {
  quadratic: {
    name: "ill-conditioned quadratic",
    f: (x, y) => x.square().mul(0.05).add(y.square().mul(5)),
    start: [-4, 1.5],
    steps: 200,
    minimum: [0, 0],
    box: [-5, 5, -2.5, 2.5],
    lr: { sgd: 0.18, momentum: 0.02, nesterov: 0.02, adagrad: 0.8, rmsprop: 0.03, adam: 0.1, lion: 0.04 },
    note: "f = x²/20 + 5y²: curvature 100 times larger along y than along x, so a step size safe for y crawls along x.",
  },
  rosenbrock: {
    name: "Rosenbrock",
    f: (x, y) => x.mul(-1).add(1).square().add(y.sub(x.square()).square().mul(100)),
    start: [-1.5, 2],
    steps: 1000,
    minimum: [1, 1],
    box: [-2, 2, -1, 3],
    lr: { sgd: 0.0015, momentum: 0.0003, nesterov: 0.0003, adagrad: 0.5, rmsprop: 0.01, adam: 0.05, lion: 0.01 },
    note: "f = (1 − x)² + 100(y − x²)²: a curved, flat-bottomed valley; reaching the valley is easy, following it to (1, 1) is not.",
  },
  saddle: {
    name: "saddle",
    f: (x, y) => x.square().sub(y.square()).add(y.square().square().mul(0.25)),
    start: [-2, 0.01],
    steps: 200,
    minimum: [0, Math.SQRT2],
    box: [-2.5, 2.5, -2.5, 2.5],
    lr: { sgd: 0.05, momentum: 0.01, nesterov: 0.01, adagrad: 0.5, rmsprop: 0.02, adam: 0.05, lion: 0.02 },
    note: "f = x² − y² + y⁴/4: a saddle at the origin between two minima at y = ±√2; starting almost on the ridge, the gradient along y is tiny at first.",
  },
} satisfies Record<string, Surface>;

export type SurfaceName = keyof typeof surfaces;

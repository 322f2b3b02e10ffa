import { expectTypeOf, test } from "vitest";
import { param, type Tensor } from "@gradfold/graph";
import { adam, chain, cosineDecay, optimizer, scaleByAdam, scaleByLearningRate, sgd, type Optimizer, type Schedule, type Update } from "./index.ts";

test("the public contract's types", () => {
  const W = param("W", [2, 3]);
  const loss = W.sum() as Tensor;
  expectTypeOf(adam({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }).updates(loss, [W])).toEqualTypeOf<Update[]>();
  expectTypeOf(optimizer(chain(scaleByAdam(), scaleByLearningRate(1e-3)), "adam")).toEqualTypeOf<Optimizer>();
  expectTypeOf(cosineDecay({ init: 1, steps: 10 })).toEqualTypeOf<Schedule>();
  sgd({ lr: cosineDecay({ init: 0.1, steps: 100 }), momentum: 0.9 });
  // @ts-expect-error hyperparameters are numbers, schedules or scalar tensors, not strings
  adam({ lr: "0.001" });
  // @ts-expect-error PyTorch's names in camelCase: weightDecay, not weight_decay
  adam({ weight_decay: 0.1 });
});

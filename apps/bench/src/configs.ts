import { cnnConfigs, describeCnn, isCnn } from "./cnn.ts";
import type { BenchConfig } from "./problem.ts";

/** The configurations of issues 5 and 9, in table order. */
export const standardConfigs: readonly BenchConfig[] = [
  { id: "mlp-b128-sgd", layers: [784, 256, 128, 10], batch: 128, optimizer: "sgd" },
  { id: "mlp-b128-adam", layers: [784, 256, 128, 10], batch: 128, optimizer: "adam" },
  { id: "mlp-b1000-sgd", layers: [784, 256, 128, 10], batch: 1000, optimizer: "sgd" },
  { id: "mlp-b1000-adam", layers: [784, 256, 128, 10], batch: 1000, optimizer: "adam" },
  { id: "wide-b256-adam", layers: [784, 1024, 1024, 10], batch: 256, optimizer: "adam" },
];

/** A tiny config for tests: every code path, milliseconds to run, odd sizes on purpose. */
export const tinyConfig = (optimizer: "sgd" | "adam"): BenchConfig => ({
  id: `tiny-${optimizer}`,
  layers: [7, 5, 6, 3],
  batch: 4,
  optimizer,
});

/** Every config the command line accepts: the standard ones (the default) and the opt-in CNN. */
export const allConfigs: readonly BenchConfig[] = [...standardConfigs, ...cnnConfigs];

export function describeConfig(c: BenchConfig): string {
  if (isCnn(c)) return describeCnn(c);
  return `${c.layers.join("-")}, batch ${c.batch}, ${c.optimizer === "sgd" ? "SGD" : "Adam"}`;
}

/// <reference lib="webworker" />
import { compile, type StepSpec } from "@gradfold/codegen";
import { optimize } from "@gradfold/optimize";
import { classifierSteps } from "../models/classifier.ts";
import { mnistClassifier, type MnistSettings } from "../models/mnist-model.ts";
import { learningRate, optimizerFactories } from "../models/optimizers.ts";
import { errorMessage, stamp } from "./protocol.ts";

export type KernelsRequest = { type: "inspect"; settings: MnistSettings; which: "train" | "predict"; run?: number };
export type KernelsReply =
  | {
      type: "report";
      /** explain()'s readable summary, and how often each rewrite rule fired. */
      text: string;
      ruleCounts: Record<string, number>;
      kernels: { name: string; fuses: readonly string[]; source: string }[];
      stats: { groups: number; kernels: number; wasmKernels: number; workBytesNaive: number; arenaBytes: number };
    }
  | { type: "error"; message: string };

function specOf(settings: MnistSettings, which: "train" | "predict"): StepSpec {
  const optimizer = optimizerFactories[settings.optimizer]({ lr: learningRate(settings.schedule, settings.lr, settings.steps) });
  const steps = classifierSteps(mnistClassifier(settings), optimizer);
  return which === "train" ? steps.train : steps.predict(1);
}

addEventListener("message", (event: MessageEvent<KernelsRequest>) => {
  try {
    const spec = specOf(event.data.settings, event.data.which);
    const explanation = optimize({ outputs: spec.outputs, updates: spec.updates ?? [] }, { sizes: spec.sizes }).explain();
    const step = compile(spec);
    const reply: KernelsReply = {
      type: "report",
      text: explanation.text,
      ruleCounts: { ...explanation.ruleCounts },
      kernels: step.kernels.map((k) => ({ name: k.name, fuses: k.fuses, source: k.source })),
      stats: { ...step.stats },
    };
    postMessage(stamp(event.data.run, reply));
  } catch (e) {
    postMessage(stamp(event.data.run, errorMessage(e)));
  }
});

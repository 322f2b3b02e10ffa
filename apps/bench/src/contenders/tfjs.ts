import type { Scalar, Tensor2D } from "@tensorflow/tfjs";
import type { Contender, Trainer } from "../contender.ts";
import { isCnn } from "../cnn.ts";
import type { Problem } from "../problem.ts";
import { type TfModel, tfjsCnn } from "./tfjs-cnn.ts";

type Tf = typeof import("@tensorflow/tfjs");
type TfBackend = "wasm" | "cpu";

let tfPromise: Promise<Tf> | undefined;
/** Threads of tfjs-wasm's build, once its backend has started (1 unless the threaded build loaded). */
let wasmThreads: () => number = () => 1;

/**
 * Loads TensorFlow.js once and registers the wasm backend, which finds its binaries
 * through setWasmPaths: in Node a folder (contenders/index.ts), where it picks the
 * single-threaded SIMD build; in Chromium a URL (browser/), where a cross-origin
 * isolated page gets the threaded SIMD build, as its users do. tfjs prints a banner on
 * load; the CLI keeps its own table off that channel until the end.
 */
function loadTf(wasmDir: string): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(wasmDir);
    wasmThreads = wasm.getThreadsCount;
    return tf;
  })();
  return tfPromise;
}

/** The MLP: relu(h·W + b) between layers, tf.losses.softmaxCrossEntropy. */
function tfjsMlp(tf: Tf, problem: Problem): TfModel {
  const { config } = problem;
  const classes = config.layers[config.layers.length - 1];
  const vars = problem.params.map((p) => tf.variable(tf.tensor(p.data, [...p.shape], "float32"), true));
  const x = tf.tensor2d(problem.x, [config.batch, config.layers[0]]);
  const target = tf.tensor2d(problem.oneHot, [config.batch, classes]);
  const lossFn = () => {
    let h: Tensor2D = x;
    for (let l = 0; l < vars.length; l += 2) {
      const z = tf.add(tf.matMul(h, vars[l] as Tensor2D), vars[l + 1]) as Tensor2D;
      h = l + 2 < vars.length ? tf.relu(z) : z;
    }
    // Mean over the batch of -Σ onehot·log softmax(logits).
    return tf.losses.softmaxCrossEntropy(target, h) as Scalar;
  };
  return { vars, lossFn, data: [x, target] };
}

/**
 * TensorFlow.js on one backend (a CNN config: tfjs-cnn.ts's model). Both backends can run in one process: tfjs has one
 * active backend at a time, so each step first selects its own; its variables,
 * data and optimizer slots were all created on that backend, so nothing moves.
 */
export function tfjsContender(backend: TfBackend, wasmDir: string): Contender {
  return {
    id: `tfjs-${backend}`,
    label: `tfjs-${backend}`,
    async prepare(problem: Problem): Promise<Trainer> {
      const tf = await loadTf(wasmDir);
      await tf.setBackend(backend);
      await tf.ready();
      const { config, hyper } = problem;
      const model = isCnn(config) ? tfjsCnn(tf, backend, { ...problem, config }) : tfjsMlp(tf, problem);
      const { vars, lossFn } = model;
      const optimizer = config.optimizer === "sgd" ? tf.train.sgd(hyper.lr) : tf.train.adam(hyper.lr, hyper.beta1, hyper.beta2, hyper.eps);
      // Tensors a step leaves behind, per step after the first (which creates Adam's slots).
      let steps = 0;
      let leakedPerStep = 0;
      return {
        async step() {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
          const before = tf.memory().numTensors;
          const loss = tf.tidy(() => optimizer.minimize(lossFn, true, vars) as Scalar);
          const value = loss.dataSync()[0];
          loss.dispose();
          if (steps++ > 0) leakedPerStep = Math.max(leakedPerStep, tf.memory().numTensors - before);
          return value;
        },
        notes() {
          const leaks = leakedPerStep > 0 ? [`tfjs-${backend}: a step left up to ${leakedPerStep} live tensors behind`] : [];
          return backend === "wasm" ? [...leaks, `tfjs-wasm: ${wasmThreads()} XNNPACK thread(s)`] : leaks;
        },
        dispose() {
          optimizer.dispose();
          for (const v of vars) v.dispose();
          for (const t of model.data) t.dispose();
        },
      };
    },
  };
}

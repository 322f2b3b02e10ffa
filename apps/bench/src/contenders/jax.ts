import type { Array as JaxArray } from "@jax-js/jax";
import type { Contender, Trainer } from "../contender.ts";
import { isCnn } from "../cnn.ts";
import type { Problem } from "../problem.ts";
import { jaxCnn } from "./jax-cnn.ts";

export type Jax = typeof import("@jax-js/jax");

let jaxPromise: Promise<Jax> | undefined;

/** Loads jax-js and its Wasm backend once (Node has no Worker global: one thread). */
export function loadJax(): Promise<Jax> {
  jaxPromise ??= (async () => {
    const jax = await import("@jax-js/jax");
    const available = await jax.init("wasm");
    if (!available.includes("wasm")) throw new Error(`jax-js: the wasm backend did not initialise (got ${available.join(", ")})`);
    jax.defaultDevice("wasm");
    return jax;
  })();
  return jaxPromise;
}

/**
 * The threads jax-js's Wasm backend runs on: 0.1.x starts a worker pool of
 * `navigator.hardwareConcurrency` (else 4) threads whenever SharedArrayBuffer and
 * Worker exist — in a cross-origin isolated page, as in the bench's Chromium — and
 * splits its kernels over it; Node has no Worker global, so one thread there.
 */
export function jaxThreads(): number {
  const host = globalThis as { Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  if (typeof SharedArrayBuffer === "undefined" || host.Worker === undefined) return 1;
  return Math.max(1, host.navigator?.hardwareConcurrency || 4);
}

const threadNote = () => {
  const threads = jaxThreads();
  return [threads === 1 ? "jax-js: 1 thread (no Worker global)" : `jax-js: a Wasm worker pool of ${threads} threads (its default where SharedArrayBuffer and Worker exist)`];
};

/** A loss over (params, x, one-hot target) and the arrays it starts from, in jax-js's layouts. */
export interface JaxModel {
  readonly lossOf: (params: JaxArray[], x: JaxArray, target: JaxArray) => JaxArray;
  readonly params: JaxArray[];
  readonly x: JaxArray;
}

/** The MLP: h ← relu(h·W + b) between layers, mean softmax cross-entropy. */
function jaxMlp(jax: Jax, problem: Problem): JaxModel {
  const np = jax.numpy;
  const { config } = problem;
  const layerCount = config.layers.length - 1;
  const lossOf = (params: JaxArray[], x: JaxArray, target: JaxArray): JaxArray => {
    let h = x;
    for (let l = 0; l < layerCount; l++) {
      const z = np.matmul(h, params[2 * l]).add(params[2 * l + 1]);
      h = l + 1 < layerCount ? jax.nn.relu(z) : z;
    }
    return jax.nn.logSoftmax(h, -1).mul(target).sum(-1).mean().neg();
  };
  return {
    lossOf,
    params: problem.params.map((p) => np.array(p.data, { shape: [...p.shape] })),
    x: np.array(problem.x, { shape: [config.batch, config.layers[0]] }),
  };
}

/**
 * jax-js with the whole step — loss, gradient and update — under one jit, which is
 * how it runs fastest. jax-js moves arrays into every call, so params and state
 * are replaced by the step's results each time; the data is passed as `.ref`.
 * Adam's bias corrections change every step, so they come in as scalar arrays
 * rather than closure constants (which would recompile). A CNN config runs
 * jax-cnn.ts's model (NCHW) through the same step.
 */
export const jaxContender: Contender = {
  id: "jax-js",
  label: "jax-js",
  async prepare(problem: Problem): Promise<Trainer> {
    const jax = await loadJax();
    const np = jax.numpy;
    const { config, hyper } = problem;
    const classes = config.layers[config.layers.length - 1];
    const model = isCnn(config) ? jaxCnn(jax, { ...problem, config }) : jaxMlp(jax, problem);
    const valueAndGrad = jax.valueAndGrad(model.lossOf) as unknown as (p: JaxArray[], x: JaxArray, t: JaxArray) => [JaxArray, JaxArray[]];

    let params: JaxArray[] = model.params;
    const x = model.x;
    const target = np.array(problem.oneHot, { shape: [config.batch, classes] });

    const finish = async (loss: JaxArray, rest: JaxArray[]): Promise<number> => {
      await jax.blockUntilReady([loss, ...rest]);
      return loss.item();
    };

    if (config.optimizer === "sgd") {
      const lr = hyper.lr;
      const sgdStep = jax.jit((p: JaxArray[], xs: JaxArray, t: JaxArray) => {
        const [loss, grads] = valueAndGrad(jax.tree.ref(p), xs, t);
        return [loss, p.map((w, i) => w.sub(grads[i].mul(lr)))];
      }) as unknown as (p: JaxArray[], xs: JaxArray, t: JaxArray) => [JaxArray, JaxArray[]];
      return {
        async step() {
          const [loss, next] = sgdStep(params, x.ref, target.ref);
          params = next;
          return finish(loss, next);
        },
        notes: threadNote,
        dispose() {
          jax.tree.dispose([params, x, target]);
        },
      };
    }

    const { lr, beta1, beta2, eps } = hyper;
    let m: JaxArray[] = params.map((p) => np.zeros(p.shape));
    let v: JaxArray[] = params.map((p) => np.zeros(p.shape));
    // PyTorch's Adam: w -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps); c1, c2 are those two factors.
    const adamStep = jax.jit((p: JaxArray[], m0: JaxArray[], v0: JaxArray[], xs: JaxArray, t: JaxArray, c1: JaxArray, c2: JaxArray) => {
      const [loss, grads] = valueAndGrad(jax.tree.ref(p), xs, t);
      const m1 = m0.map((mi, i) => mi.mul(beta1).add(grads[i].ref.mul(1 - beta1)));
      const v1 = v0.map((vi, i) => vi.mul(beta2).add(np.square(grads[i]).mul(1 - beta2)));
      const p1 = p.map((w, i) => w.sub(c1.ref.mul(m1[i].ref).div(np.sqrt(v1[i].ref).mul(c2.ref).add(eps))));
      c1.dispose();
      c2.dispose();
      return [loss, p1, m1, v1];
    }) as unknown as (p: JaxArray[], m0: JaxArray[], v0: JaxArray[], xs: JaxArray, t: JaxArray, c1: JaxArray, c2: JaxArray) => [JaxArray, JaxArray[], JaxArray[], JaxArray[]];
    let t = 0;
    return {
      async step() {
        t += 1;
        const c1 = np.array(lr / (1 - beta1 ** t));
        const c2 = np.array(1 / Math.sqrt(1 - beta2 ** t));
        const [loss, p1, m1, v1] = adamStep(params, m, v, x.ref, target.ref, c1, c2);
        params = p1;
        m = m1;
        v = v1;
        return finish(loss, [...p1, ...m1, ...v1]);
      },
      notes: threadNote,
      dispose() {
        jax.tree.dispose([params, m, v, x, target]);
      },
    };
  },
};

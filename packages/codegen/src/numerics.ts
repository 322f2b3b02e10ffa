import type { AnyTensor } from "@gradfold/graph";
import { callSiteOf } from "@gradfold/graph/internal";
import { externalInputs, type Kernel } from "./lower/kernel.ts";
import type { BoundShapes } from "./lower/shapes.ts";
import { literal } from "./js/builder.ts";

/**
 * `checkNumerics`: after each kernel, its float outputs are scanned, and the first
 * non-finite value stops the step with an error naming the op (shape, the user's call
 * site, the kernel) and the values that fed it. With the option the step runs one
 * kernel per node (see prepareStep), so the op named is the one that produced the
 * value, not the last of a fused chain. Without it none of this is generated. The
 * error (a RangeError) carries the same facts as data in `error.numerics`
 * (`NumericsReport`).
 */
export interface NumericsChecks {
  /** The statement to run after kernel i. */
  readonly after: readonly string[];
  /** The helpers and the JSON description of every kernel's outputs and inputs. */
  readonly source: string;
}

/** What a checkNumerics error carries in its `numerics` field. */
export interface NumericsReport {
  /** The op (or leaf name) and its shape, e.g. `log float32[4, 5]`. */
  readonly operation: string;
  /** The user's call site that built it; null for nodes gradfold built (gradients). */
  readonly callSite: string | null;
  readonly kernel: string;
  readonly value: number;
  readonly element: number;
  /** One line per value the op read: what it is and whether it was finite. */
  readonly inputs: readonly string[];
}

interface Described {
  readonly what: string;
  readonly site: string | null;
}

/** A node as the user knows it: its op (or leaf name) and shape; never a graph id (the text stays deterministic). */
function describe(node: AnyTensor, shapes: BoundShapes): Described {
  const name = node.is("input") || node.is("param") ? `${node.op} ${JSON.stringify(node.params.name)}` : node.op;
  return { what: `${name} ${node.dtype}[${shapes.of(node).join(", ")}]`, site: callSiteOf(node) ?? null };
}

export function numericsChecks(
  kernels: readonly Kernel[],
  names: readonly string[],
  params: readonly (readonly AnyTensor[])[],
  stored: ReadonlySet<AnyTensor>,
  shapes: BoundShapes,
  viewOf: (node: AnyTensor) => string,
): NumericsChecks {
  const info = kernels.map((k, i) => {
    const outputs = k.nodes.filter((n) => stored.has(n) && n.dtype === "float32");
    const inputs = externalInputs(k).filter((x) => params[i].includes(x));
    return { outputs, inputs, meta: { kernel: names[i], outputs: outputs.map((n) => describe(n, shapes)), inputs: inputs.map((n) => describe(n, shapes)) } };
  });
  const after = info.map(({ outputs, inputs }, i) => (outputs.length === 0 ? "" : `checkKernel(${i}, [${outputs.map(viewOf).join(", ")}], [${inputs.map(viewOf).join(", ")}]);`));
  const source = `// ---- checkNumerics: every kernel's float outputs, checked as soon as it ran
const numerics = JSON.parse(${literal(JSON.stringify(info.map((x) => x.meta)))});
function firstNonFinite(view) {
  for (let k = 0; k < view.length; k++) if (view[k] - view[k] !== 0) return k;
  return -1;
}
function described(d) {
  return d.what + (d.site === null ? " (built by gradfold)" : " (built at " + d.site + ")");
}
function checkKernel(i, outputs, inputs) {
  for (let j = 0; j < outputs.length; j++) {
    const at = firstNonFinite(outputs[j]);
    if (at < 0) continue;
    const info = numerics[i];
    const fed = inputs.map((view, m) => {
      const bad = firstNonFinite(view);
      const same = view.length === outputs[j].length ? ", element " + at + " is " + view[at] : "";
      return "  " + described(info.inputs[m]) + ": " + (bad < 0 ? "all finite" : "element " + bad + " is " + view[bad]) + same;
    });
    const error = new RangeError("checkNumerics: " + described(info.outputs[j]) + " produced " + outputs[j][at] + " at element " + at + " (kernel " + info.kernel + "); nothing was updated. It read:\\n" + (fed.join("\\n") || "  nothing"));
    // The same facts as data, so a caller need not parse the message.
    error.numerics = { operation: info.outputs[j].what, callSite: info.outputs[j].site, kernel: info.kernel, value: outputs[j][at], element: at, inputs: fed.map((line) => line.trim()) };
    throw error;
  }
}`;
  return { after, source };
}

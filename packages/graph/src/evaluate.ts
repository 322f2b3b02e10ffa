import type { DType } from "./dtype.ts";
import { GraphError } from "./errors.ts";
import type { Value } from "./op.ts";
import { initialValue } from "./ops/leaves.ts";
import { broadcastEval } from "./ops/rules.ts";
import { bindShape, formatShape, numel, type Sizes } from "./shape.ts";
import { defOf } from "./registry.ts";
import { Tensor, type AnyTensor } from "./tensor.ts";
import { topoSort } from "./traverse.ts";

/** Fed data: flat row-major numbers (a typed array or number[]), booleans, or nested arrays. */
export type FeedValue = ArrayLike<number> | readonly NestedValues[];
type NestedValues = number | boolean | readonly NestedValues[];
/** Data fed for inputs (required) and params (optional overrides), by name. */
export type Feeds = Readonly<Record<string, FeedValue>>;

const integerArrays = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array];

/** Checks one fed array against what the graph expects; returns it as float64. */
export function checkFeed(name: string, data: unknown, shape: readonly number[], dtype: DType, kind: "input" | "param"): Float64Array {
  const what = `${kind} ${JSON.stringify(name)}`;
  const expected = `${dtype}${formatShape(shape)} (${numel(shape)} values)`;
  if (data === null || typeof data !== "object" || typeof (data as ArrayLike<number>).length !== "number") {
    throw new GraphError(`${what}: expected an array of ${expected}, got ${data === null ? "null" : typeof data}`);
  }
  // Nested arrays ([[1, 2], [3, 4]]) are read in row-major order, like constant().
  const arr = (Array.isArray(data) && data.some(Array.isArray) ? (data as unknown[]).flat(Number.POSITIVE_INFINITY) : data) as ArrayLike<number | boolean>;
  if (arr.length !== numel(shape)) throw new GraphError(`${what}: expected ${expected}, got ${arr.length} values`);
  const isFloatArray = data instanceof Float32Array || data instanceof Float64Array;
  if (dtype === "float32") {
    if (!isFloatArray && !Array.isArray(data)) {
      throw new GraphError(`${what}: expected float32 data (Float32Array, Float64Array or number[]), got ${(data as object).constructor.name}`);
    }
  } else if (isFloatArray || (!Array.isArray(data) && !integerArrays.some((T) => data instanceof T))) {
    throw new GraphError(`${what}: expected ${dtype} data (an integer typed array or number[]), got ${(data as object).constructor.name}`);
  }
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = typeof arr[i] === "boolean" ? +arr[i] : (arr[i] as number);
    if (typeof v !== "number") throw new GraphError(`${what}: element ${i} is ${typeof v}, expected a number`);
    if (dtype === "int32" && !Number.isInteger(v)) throw new GraphError(`${what}: element ${i} is ${v}, expected an int32`);
    if (dtype === "bool" && v !== 0 && v !== 1) throw new GraphError(`${what}: element ${i} is ${v}, expected 0 or 1`);
    out[i] = v;
  }
  return out;
}

/**
 * The reference interpreter: evaluates `outputs` in float64 and returns one flat
 * row-major array per output. Feeds are checked before anything runs; nothing
 * passed in is mutated.
 */
export function evaluate(outputs: AnyTensor, feeds?: Feeds, sizes?: Sizes): Float64Array;
export function evaluate(outputs: readonly AnyTensor[], feeds?: Feeds, sizes?: Sizes): Float64Array[];
export function evaluate(outputs: AnyTensor | readonly AnyTensor[], feeds: Feeds = {}, sizes: Sizes = {}): Float64Array | Float64Array[] {
  const list = Array.isArray(outputs) ? (outputs as readonly AnyTensor[]) : [outputs as AnyTensor];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new GraphError(`evaluate: output ${i} is not a Tensor`);
  });
  if (feeds === null || typeof feeds !== "object") throw new GraphError(`evaluate: feeds must be an object keyed by input name, got ${feeds}`);
  const values = evaluateValues(list, feeds, sizes);
  const results = list.map((t) => Float64Array.from(values.get(t)!.data));
  return Array.isArray(outputs) ? results : results[0];
}

/** Evaluates every node the outputs depend on; the map is the interpreter's whole state. */
export function evaluateValues(outputs: readonly AnyTensor[], feeds: Feeds, sizes: Sizes): Map<AnyTensor, Value> {
  const order = topoSort(outputs);
  const values = new Map<AnyTensor, Value>();
  const leafNames = new Map<string, AnyTensor>();
  // Bind every shape and check every leaf before evaluating anything.
  const shapes = new Map<AnyTensor, number[]>();
  for (const node of order) {
    if (node.is("input") || node.is("param")) {
      const name = node.params.name;
      const other = leafNames.get(name);
      if (other && other !== node) {
        throw new GraphError(`evaluate: two leaves are named ${JSON.stringify(name)} (${other}, ${node}); names must be unique`);
      }
      leafNames.set(name, node);
      const shape = bindShape(node.shape, sizes, `${node.op} ${JSON.stringify(name)}`);
      shapes.set(node, shape);
      const fed = Object.hasOwn(feeds, name) ? feeds[name] : undefined;
      if (node.is("input") && fed === undefined) {
        throw new GraphError(`evaluate: missing feed for input ${JSON.stringify(name)}: expected ${node.dtype}${formatShape(shape)}`);
      }
      const data = fed === undefined ? initialValue(node) : checkFeed(name, fed, shape, node.dtype, node.op as "input" | "param");
      values.set(node, { data, shape });
    } else {
      shapes.set(node, bindShape(node.shape, sizes, node.op));
    }
  }
  for (const node of order) {
    if (values.has(node)) continue;
    const shape = shapes.get(node)!;
    if (node.is("size")) {
      values.set(node, { data: Float64Array.of(numel(bindShape(node.params.dims, sizes, "size"))), shape });
      continue;
    }
    const def = defOf(node);
    const args = node.inputs.map((t) => values.get(t)!);
    let data: Float64Array;
    if (def.scalar) data = broadcastEval(args, shape, def.scalar);
    else if (def.evaluate) data = def.evaluate(args, node.params as never, shape);
    else throw new GraphError(`evaluate: op ${node.op} has no reference semantics`);
    values.set(node, { data, shape });
  }
  return values;
}

import type { FeedRange } from "../feed-ranges.ts";
import { literal } from "../js/builder.ts";

/** What the runtime part of a step needs to know, all of it data (names are JSON literals). */
export interface RuntimeLayout {
  /** `range`: the values an int32 feed may hold, checked by run() (null: any). */
  readonly inputs: ReadonlyArray<{ name: string; dtype: string; shape: readonly number[]; view: string; range: FeedRange | null }>;
  readonly params: ReadonlyArray<{ name: string; shape: readonly number[]; view: string }>;
  readonly outputs: ReadonlyArray<{ name: string; view: string }>;
  /** Bytes of params and constants to restore when a kernel throws (checkNumerics), 0 for none. */
  readonly restoreBytes?: number;
}

/**
 * The step object's methods, as source: feed checks, run, read, write. Identical for
 * compile() and emit(). User names enter only through one JSON literal and are only
 * ever used as Map keys, property keys of a null-prototype object, and in messages.
 */
export function runtimeSource(layout: RuntimeLayout): string {
  const meta = {
    inputs: layout.inputs.map(({ name, dtype, shape, range }) => ({ name, dtype, shape, length: shape.reduce((a, b) => a * b, 1), range })),
    params: layout.params.map(({ name, shape }) => ({ name, shape, length: shape.reduce((a, b) => a * b, 1) })),
    outputs: layout.outputs.map(({ name }) => name),
  };
  return `// ---- runtime: feeds, run, read, write (names are data: Map keys only)
const meta = JSON.parse(${literal(JSON.stringify(meta))});
const inputViews = [${layout.inputs.map((i) => i.view).join(", ")}];
const paramViews = [${layout.params.map((p) => p.view).join(", ")}];
const outputViews = [${layout.outputs.map((o) => o.view).join(", ")}];
const inputIndex = new Map(meta.inputs.map((spec, i) => [spec.name, i]));
const paramIndex = new Map(meta.params.map((spec, i) => [spec.name, i]));
// One results object for every run: its arrays are views into the arena, overwritten
// by the next run (copy what you keep).
const results = Object.create(null);
meta.outputs.forEach((name, i) => { results[name] = outputViews[i]; });
Object.freeze(results);
const fed = new Array(meta.inputs.length).fill(null);
const arrayKinds = { float32: [Float32Array], int32: [Int32Array], bool: [Uint8Array, Int32Array] };

function shapeText(spec) {
  return spec.dtype + "[" + spec.shape.join(", ") + "] (" + spec.length + " values, " + arrayKinds[spec.dtype].map((T) => T.name).join(" or ") + ")";
}
function describe(value) {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  const kind = value.constructor && typeof value.constructor.name === "string" ? value.constructor.name : "object";
  return typeof value.length === "number" ? kind + " of " + value.length + " values" : kind;
}
function knownNames(index) {
  return [...index.keys()].map((n) => JSON.stringify(n)).join(", ") || "none";
}

// Every feed is checked before anything is written, so a bad call changes nothing.
function checkFeeds(feeds) {
  if (feeds === null || typeof feeds !== "object") throw new TypeError("run: expected an object of feeds keyed by input name, got " + describe(feeds));
  for (let i = 0; i < meta.inputs.length; i++) {
    const spec = meta.inputs[i];
    const data = Object.hasOwn(feeds, spec.name) ? feeds[spec.name] : undefined;
    if (data === undefined) throw new Error("run: missing feed for input " + JSON.stringify(spec.name) + ": expected " + shapeText(spec));
    const kinds = arrayKinds[spec.dtype];
    let ok = false;
    for (let k = 0; k < kinds.length; k++) if (data instanceof kinds[k]) ok = true;
    if (!ok || data.length !== spec.length) {
      throw new TypeError("run: input " + JSON.stringify(spec.name) + ": expected " + shapeText(spec) + ", got " + describe(data));
    }
    if (spec.range !== null) checkRange(spec, data);
    fed[i] = data;
  }
  for (const key in feeds) {
    if (Object.hasOwn(feeds, key) && !inputIndex.has(key)) {
      throw new Error("run: unknown feed " + JSON.stringify(key) + "; the inputs are " + knownNames(inputIndex) + (paramIndex.has(key) ? " (params are set with write())" : ""));
    }
  }
}

// Labels and indices out of range: the reference refuses them, and a kernel would
// give NaN (or touch memory outside its buffers) while the updates still applied.
function checkRange(spec, data) {
  const below = spec.range.below;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (!(v >= 0 && v < below)) {
      throw new RangeError("run: input " + JSON.stringify(spec.name) + ": element " + k + " is " + v + ", outside [0, " + below + ") that " + spec.range.need + " needs; nothing was changed");
    }
  }
}

function run(feeds) {
  try {
    checkFeeds(feeds);
  } catch (error) {
    fed.fill(null);
    throw error;
  }
  for (let i = 0; i < fed.length; i++) {
    inputViews[i].set(fed[i]);
    fed[i] = null;
  }
  ${
    layout.restoreBytes
      ? `// A failed check leaves params and optimizer state as they were before the step.
  const before = new Uint8Array(heap, 0, ${layout.restoreBytes}).slice();
  try {
    runKernels();
  } catch (error) {
    new Uint8Array(heap, 0, ${layout.restoreBytes}).set(before);
    throw error;
  }`
      : "runKernels();"
  }
  return results;
}

function paramAt(method, name) {
  const i = paramIndex.get(name);
  if (i === undefined) throw new Error(method + ": unknown param " + JSON.stringify(name) + "; known: " + knownNames(paramIndex));
  return i;
}

/** A copy of a param's (or optimizer state slot's) current value. */
function read(name) {
  return paramViews[paramAt("read", name)].slice();
}

/** Replaces a param's value; checks everything first, so a bad call changes nothing. */
function write(name, data) {
  const i = paramAt("write", name);
  const spec = meta.params[i];
  const isArray = data instanceof Float32Array || data instanceof Float64Array || Array.isArray(data);
  if (!isArray || data.length !== spec.length) {
    throw new TypeError("write: param " + JSON.stringify(name) + ": expected float32[" + spec.shape.join(", ") + "] (" + spec.length + " numbers: Float32Array, Float64Array or number[]), got " + describe(data));
  }
  if (Array.isArray(data)) {
    for (let k = 0; k < data.length; k++) {
      if (typeof data[k] !== "number") throw new TypeError("write: param " + JSON.stringify(name) + ": element " + k + " is " + typeof data[k] + ", expected a number");
    }
  }
  paramViews[i].set(data);
}

return {
  run,
  read,
  write,
  /** Param and optimizer-state names read() and write() accept. */
  names: () => [...paramIndex.keys()],
  memory,
};`;
}

import type { BoundShapes } from "../lower/shapes.ts";
import { buildWasmElementwise, type ColumnSumEntry, type WasmElementwisePlan } from "./elementwise.ts";
import type { FunctionBuilder } from "./function-builder.ts";
import { evenRuns } from "./matmul-tuning.ts";

/**
 * How the thread pool cuts a Wasm loop kernel (an elementwise chain and its optimizer
 * update, a column sum, a row reduction, softmax and its cross-entropy) into chunks
 * that threads claim like a matmul's panels. A chunk is the same function specialized
 * to fewer units (vectors, rows, or four-column groups) and called with the call's
 * pointers shifted to its first unit; scalars pass unchanged. Every unit is computed
 * by the same instructions, in the same order, as in the whole kernel, so results are
 * bit-identical to one thread, NaN, ±Infinity and −0 included.
 */
export interface LoopSplit {
  /** The export the step calls (`wasm.<name>(...)`). */
  readonly name: string;
  /** Leading i32 parameters: byte offsets, shifted per chunk. */
  readonly pointers: number;
  /** Trailing f32 parameters, passed to every chunk unchanged. */
  readonly floats: number;
  /** Distinct function bodies: chunks of equal size share one. */
  readonly functions: readonly FunctionBuilder[];
  /** The function (index into `functions`) that runs every unit: the one-thread kernel. */
  readonly whole: number;
  readonly chunks: readonly LoopChunk[];
}

export interface LoopChunk {
  /** Index into the split's `functions`. */
  readonly fn: number;
  /** Byte shift added to each pointer parameter. */
  readonly shifts: readonly number[];
}

/**
 * Below this many elements a loop runs on the caller only: ~10 µs of one core's work
 * here, about what handing a chunk to a spinning worker and waiting for it costs.
 */
export const MIN_SPLIT_ELEMENTS = 32768;

/** Chunks per thread: claimed dynamically, so a thread the OS delays leaves its share to the others. */
const CHUNKS_PER_THREAD = 2;

/** What splitUnits needs to know about one loop kernel. */
export interface UnitLoop {
  readonly name: string;
  /** Units the loop runs over (vectors, rows or column groups); chunks are whole units. */
  readonly units: number;
  /** Bytes each pointer parameter advances per unit (0: read whole by every unit, as a bias row). */
  readonly unitBytes: readonly number[];
  readonly floats: number;
  /** Elements the kernel touches, for the size threshold. */
  readonly elements: number;
  /** The function over `units` units (from the first); the same instructions per unit for any count. */
  build(units: number): FunctionBuilder;
}

/**
 * Cuts `loop` into up to CHUNKS_PER_THREAD × `threads` chunks of whole units, as even as
 * possible (the larger ones last), or null when it is too small to pay (see
 * MIN_SPLIT_ELEMENTS) or there is one thread.
 */
export function splitUnits(loop: UnitLoop, threads: number, minElements = MIN_SPLIT_ELEMENTS): LoopSplit | null {
  const parts = Math.min(loop.units, CHUNKS_PER_THREAD * threads);
  if (threads < 2 || parts < 2 || loop.elements < minElements) return null;
  const functions: FunctionBuilder[] = [];
  const byUnits = new Map<number, number>();
  const fnFor = (units: number) => {
    let index = byUnits.get(units);
    if (index === undefined) {
      index = functions.push(loop.build(units)) - 1;
      byUnits.set(units, index);
    }
    return index;
  };
  const whole = fnFor(loop.units);
  const chunks: LoopChunk[] = [];
  let first = 0;
  for (const units of evenRuns(loop.units, parts)) {
    chunks.push({ fn: fnFor(units), shifts: loop.unitBytes.map((bytes) => first * bytes) });
    first += units;
  }
  return { name: loop.name, pointers: loop.unitBytes.length, floats: loop.floats, functions, whole, chunks };
}

/**
 * An elementwise loop's units: four-column groups of a column sum (each group sums
 * down every row, `stride` apart), whole rows when a row operand (a bias) restarts
 * every row or a per-row operand is splat along it, else vectors of four elements.
 */
export function elementwiseLoop(plan: WasmElementwisePlan, shapes: BoundShapes, columnSum?: ColumnSumEntry): UnitLoop {
  const base = { name: plan.exportName, floats: plan.scalars.length };
  if (columnSum) {
    const entry: ColumnSumEntry = { rows: columnSum.rows, stride: columnSum.stride ?? plan.count };
    return {
      ...base,
      units: plan.count / 4,
      unitBytes: plan.arrays.map(() => 16),
      elements: columnSum.rows * plan.count,
      build: (units) => buildWasmElementwise({ ...plan, count: 4 * units }, shapes, entry),
    };
  }
  if (plan.rows.length > 0 || plan.perRow.length > 0) {
    return {
      ...base,
      units: plan.count / plan.cols,
      unitBytes: plan.arrays.map((x) => (plan.rows.includes(x) ? 0 : plan.perRow.includes(x) ? 4 : 4 * plan.cols)),
      elements: plan.count,
      build: (units) => buildWasmElementwise({ ...plan, count: units * plan.cols }, shapes),
    };
  }
  return {
    ...base,
    units: plan.count / 4,
    unitBytes: plan.arrays.map(() => 16),
    elements: plan.count,
    build: (units) => buildWasmElementwise({ ...plan, count: 4 * units }, shapes),
  };
}

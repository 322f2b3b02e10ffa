import { batchesOf, type Column, type Dataset } from "./data.ts";
import { entryOf, type CompiledModel } from "./compiled-model.ts";

/** A metric over a whole data set: every batched output, concatenated, and the data it came from. */
export type Metric = (outputs: Readonly<Record<string, Float32Array | Int32Array>>, data: Dataset) => number;

export interface EvaluateOptions {
  /** Rows per run; default the size the entry was compiled for. The last batch is smaller, never padded. */
  batchSize?: number;
  metrics?: Readonly<Record<string, Metric>>;
  /** Entry to run; default "evaluate". */
  entry?: string;
  /** Also return every batched output, concatenated over the rows (`outputs`). */
  keepOutputs?: boolean;
}

export interface Evaluation {
  /** The row-weighted mean of the entry's scalar `loss` output (a per-example mean over all rows), if it has one. */
  loss?: number;
  metrics: Record<string, number>;
  rows: number;
  /** With `keepOutputs`: the outputs with the batch as first axis, concatenated over all rows. */
  outputs?: Record<string, Float32Array | Int32Array>;
}

interface Collected {
  rows: number;
  /** Scalar outputs, averaged over rows (each batch weighted by its row count). */
  means: Record<string, number>;
  /** Outputs with the batch as first axis, concatenated over all rows. */
  columns: Record<string, Float32Array | Int32Array>;
}

export function checkBatchSize(what: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${what}: batchSize must be a positive integer, got ${batchSize}`);
}

/** Runs `entry` over all rows in order, in batches of `batchSize` (the last one smaller). */
function runAll(what: string, model: CompiledModel, entry: string, data: Dataset, batchSize: number | undefined): Collected {
  const info = entryOf(model, entry, what);
  const batches = batchesOf(what, info, data);
  const size = batchSize ?? info.sizes[batches.batchDim] ?? batches.rows;
  checkBatchSize(what, size);
  const rowSizes = new Map<string, number>();
  const columns: Record<string, Float32Array | Int32Array> = {};
  const sums: Record<string, number> = {};
  for (const out of info.outputs) {
    if (out.shape.length === 0) sums[out.name] = 0;
    else if (out.shape[0] === batches.batchDim) {
      const rowSize = out.shape.slice(1).reduce<number>((a, d) => a * (typeof d === "number" ? d : (info.sizes[d] ?? Number.NaN)), 1);
      if (!Number.isInteger(rowSize)) continue; // a second symbolic axis: not concatenable by rows
      rowSizes.set(out.name, rowSize);
      columns[out.name] = out.dtype === "int32" ? new Int32Array(batches.rows * rowSize) : new Float32Array(batches.rows * rowSize);
    }
  }
  for (let start = 0; start < batches.rows; start += size) {
    const count = Math.min(size, batches.rows - start);
    const { feeds, sizes } = batches.slice(start, count);
    const results = model.run(entry, feeds, sizes);
    for (const name of Object.keys(sums)) sums[name] += results[name][0] * count;
    for (const [name, rowSize] of rowSizes) columns[name].set(results[name].subarray(0, count * rowSize), start * rowSize);
  }
  const means = Object.fromEntries(Object.entries(sums).map(([n, s]) => [n, s / batches.rows]));
  return { rows: batches.rows, means, columns };
}

/**
 * The model's loss and metrics over `data`, every row counted once: batches in order,
 * the last one run at its own size (no padding, no dropped rows). Runs the inference
 * entry, so nothing is updated.
 */
export function evaluate(model: CompiledModel, data: Dataset, options: EvaluateOptions = {}): Evaluation {
  const { entry = "evaluate", metrics = {} } = options;
  const { rows, means, columns } = runAll("evaluate", model, entry, data, options.batchSize);
  const scores: Record<string, number> = {};
  for (const [name, metric] of Object.entries(metrics)) scores[name] = metric(columns, data);
  return options.keepOutputs ? { loss: means.loss, metrics: scores, rows, outputs: columns } : { loss: means.loss, metrics: scores, rows };
}

export interface PredictOptions {
  /** Rows per run; default the size the entry was compiled for. */
  batchSize?: number;
  /** Entry to run; default "predict". */
  entry?: string;
}

/**
 * The entry's outputs for every row of `x`, concatenated by rows: a Dataset by input
 * name, or one column when the entry has a single input. Any number of rows, one included.
 */
export function predict(model: CompiledModel, x: Dataset | Column, options: PredictOptions = {}): Record<string, Float32Array | Int32Array> {
  const entry = options.entry ?? "predict";
  const info = entryOf(model, entry, "predict");
  const fed = info.inputs.filter((i) => !info.random.includes(i.name));
  let data: Dataset;
  if (ArrayBuffer.isView(x) || Array.isArray(x)) {
    if (fed.length !== 1) throw new Error(`predict: entry ${JSON.stringify(entry)} has inputs ${JSON.stringify(fed.map((i) => i.name))}; pass them as an object of columns`);
    data = { [fed[0].name]: x as Column };
  } else data = x as Dataset;
  return runAll("predict", model, entry, data, options.batchSize).columns;
}

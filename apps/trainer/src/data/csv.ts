import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import type { Rng } from "../rng.ts";
import { holdOut, type DataSplits, type Dataset, type TaskInfo } from "./dataset.ts";

export class CsvDataError extends Error {
  override name = "CsvDataError";
}

export interface CsvOptions {
  path: string;
  target: string;
  task: "auto" | "classification" | "regression";
  validationSize: number;
  testSize: number;
}

/** A parsed table: header names and rows of strings, ragged rows rejected with their line. */
export function readCsvTable(text: string, source: string): { header: string[]; rows: string[][] } {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    const e = err as Error & { code?: string; lines?: number };
    if (e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH") {
      throw new CsvDataError(`${source}: ragged row at line ${e.lines}: ${e.message.replace(/^Invalid Record Length: /, "")}`);
    }
    throw new CsvDataError(`${source}: ${e.message}`);
  }
  if (records.length < 2) throw new CsvDataError(`${source}: expected a header row and at least one data row, got ${records.length} rows`);
  const [header, ...rows] = records;
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new CsvDataError(`${source}: column ${JSON.stringify(name)} appears twice in the header`);
    seen.add(name);
  }
  return { header, rows };
}

/**
 * Loads a CSV with a header row: every column but `target` is a numeric feature
 * (standardised with the training part's mean and deviation); the target is a class
 * (any string) or a number (regression).
 */
export function loadCsv(options: CsvOptions, rng: Rng): DataSplits {
  const { header, rows } = readCsvTable(readDataFile(options.path), options.path);
  const targetIndex = header.indexOf(options.target);
  if (targetIndex < 0) {
    throw new CsvDataError(`${options.path}: unknown target column ${JSON.stringify(options.target)}; columns are ${header.map((h) => JSON.stringify(h)).join(", ")}`);
  }
  const featureIndices = header.map((_, i) => i).filter((i) => i !== targetIndex);
  if (featureIndices.length === 0) throw new CsvDataError(`${options.path}: no feature columns besides the target`);
  const features = featureIndices.length;
  const x = new Float32Array(rows.length * features);
  rows.forEach((row, r) => {
    featureIndices.forEach((c, j) => {
      x[r * features + j] = numericCell(row[c], options.path, r + 2, header[c]);
    });
  });
  const targets = rows.map((row) => row[targetIndex]);
  targets.forEach((t, r) => {
    if (missingOrNonFinite(t))
      throw new CsvDataError(
        `${options.path}: line ${r + 2}, column ${JSON.stringify(options.target)}: the target ${JSON.stringify(t)} is ${t === "" ? "empty" : "not a finite number"}; every row needs a target`,
      );
  });
  const task = options.task === "auto" ? guessTask(targets) : options.task;
  let y: Int32Array | Float32Array;
  let info: TaskInfo;
  if (task === "classification") {
    const classNames = [...new Set(targets)].sort(naturalOrder);
    const index = new Map(classNames.map((name, i) => [name, i]));
    y = Int32Array.from(targets, (t) => index.get(t)!);
    info = { task, outputs: classNames.length, classNames };
  } else {
    y = Float32Array.from(targets, (t, r) => numericCell(t, options.path, r + 2, options.target));
    info = { task, outputs: 1 };
  }
  const all: Dataset = { x, y, count: rows.length, features };
  const [rest, test] = holdOut(all, options.testSize, rng, "--test-size");
  const [train, validation] = holdOut(rest, options.validationSize, rng, "--validation-size");
  standardize(train, [validation, test]);
  if (task === "regression") info = { ...info, targetScale: standardizeTarget(train, [validation, test]) };
  return { name: options.path, info, train, validation, test };
}

/** The file's text; the error names the path (a folder, a missing file, no permission). */
function readDataFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new CsvDataError(`cannot read --data ${path}: ${(err as Error).message}`);
  }
}

/** Empty, NaN or ±Infinity in any spelling a CSV writer uses: never a class and never a regression target. */
function missingOrNonFinite(cell: string): boolean {
  return cell === "" || /^[+-]?(nan|inf|infinity)$/i.test(cell) || (!Number.isNaN(Number(cell)) && !Number.isFinite(Number(cell)));
}

function numericCell(cell: string, source: string, line: number, column: string): number {
  const v = cell === "" ? Number.NaN : Number(cell);
  if (!Number.isFinite(v)) throw new CsvDataError(`${source}: line ${line}, column ${JSON.stringify(column)}: ${JSON.stringify(cell)} is not a number`);
  // Values are stored as float32: beyond its range a finite cell would become Infinity.
  if (!Number.isFinite(Math.fround(v))) throw new CsvDataError(`${source}: line ${line}, column ${JSON.stringify(column)}: ${cell} is beyond the float32 range (±3.4e38)`);
  return v;
}

/**
 * Text labels, or few distinct integers, make a class label. A target with any
 * non-integer number is regression (a text cell among them is then reported as not a
 * number), as are many distinct integers.
 */
function guessTask(targets: readonly string[]): "classification" | "regression" {
  const numbers = targets.map(Number).filter(Number.isFinite);
  if (numbers.some((v) => !Number.isInteger(v))) return "regression";
  if (numbers.length < targets.length) return "classification";
  return new Set(targets).size <= 20 ? "classification" : "regression";
}

function naturalOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** Z-scores the regression target with the training statistics; returns them to map results back. */
function standardizeTarget(train: Dataset, others: readonly Dataset[]): { mean: number; std: number } {
  let mean = 0;
  for (let i = 0; i < train.count; i++) mean += train.y[i];
  mean /= train.count;
  let variance = 0;
  for (let i = 0; i < train.count; i++) variance += (train.y[i] - mean) ** 2;
  const std = Math.sqrt(variance / train.count) || 1;
  for (const d of [train, ...others]) for (let i = 0; i < d.count; i++) d.y[i] = (d.y[i] - mean) / std;
  return { mean, std };
}

/** Z-scores every feature with the training statistics; constant features become 0. */
function standardize(train: Dataset, others: readonly Dataset[]): void {
  const f = train.features;
  for (let j = 0; j < f; j++) {
    let mean = 0;
    for (let i = 0; i < train.count; i++) mean += train.x[i * f + j];
    mean /= train.count;
    let variance = 0;
    for (let i = 0; i < train.count; i++) variance += (train.x[i * f + j] - mean) ** 2;
    const std = Math.sqrt(variance / train.count) || 1;
    for (const d of [train, ...others]) for (let i = 0; i < d.count; i++) d.x[i * f + j] = (d.x[i * f + j] - mean) / std;
  }
}

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
  const { header, rows } = readCsvTable(readFileSync(options.path, "utf8"), options.path);
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
  const [rest, test] = holdOut(all, options.testSize, rng);
  const [train, validation] = holdOut(rest, options.validationSize, rng);
  standardize(train, [validation, test]);
  return { name: options.path, info, train, validation, test };
}

function numericCell(cell: string, source: string, line: number, column: string): number {
  const v = cell === "" ? Number.NaN : Number(cell);
  if (!Number.isFinite(v)) throw new CsvDataError(`${source}: line ${line}, column ${JSON.stringify(column)}: ${JSON.stringify(cell)} is not a number`);
  return v;
}

/** Few distinct integer-like or non-numeric values make a class label; anything else is a regression target. */
function guessTask(targets: readonly string[]): "classification" | "regression" {
  const distinct = new Set(targets);
  const numeric = targets.every((t) => t !== "" && Number.isFinite(Number(t)));
  if (!numeric) return "classification";
  return distinct.size <= 20 && targets.every((t) => Number.isInteger(Number(t))) ? "classification" : "regression";
}

function naturalOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
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

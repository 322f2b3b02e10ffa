import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { loadCsv } from "./csv.ts";

function csvFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "csv-")), "data.csv");
  writeFileSync(path, text);
  return path;
}

const load = (path: string, target = "y", task: "auto" | "classification" | "regression" = "auto") =>
  loadCsv({ path, target, task, validationSize: 1, testSize: 1 }, new Rng(1));

describe("loadCsv", () => {
  it("names classes, standardises features with training statistics and splits by seed", () => {
    const path = csvFile("a,y,b\n1,cat,10\n2,dog,10\n3,cat,10\n4,dog,10\n5,cat,10\n");
    const data = load(path);
    expect(data.info).toEqual({ task: "classification", outputs: 2, classNames: ["cat", "dog"] });
    expect(data.train.count + data.validation.count + data.test.count).toBe(5);
    expect(data.train.features).toBe(2);
    // Feature a of the training rows has mean 0 and deviation 1; the constant b becomes 0.
    const a = Array.from({ length: data.train.count }, (_, i) => data.train.x[i * 2]);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean).toBeCloseTo(0, 6);
    expect(Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length)).toBeCloseTo(1, 5);
    expect(data.train.x[1]).toBe(0);
    expect(load(path).train.x).toEqual(data.train.x);
  });

  it("treats a real-valued target as regression", () => {
    const data = load(csvFile("x,y\n1,0.5\n2,1.5\n3,2.25\n4,3.5\n"));
    expect(data.info.task).toBe("regression");
    expect(data.train.y).toBeInstanceOf(Float32Array);
  });

  it("says which line is ragged, which cell is not a number, and which columns exist", () => {
    expect(() => load(csvFile("a,y\n1,2\n3\n"))).toThrow(/ragged row at line 3/);
    expect(() => load(csvFile("a,y\n1,2\nabc,3\n4,5\n"))).toThrow(/line 3, column "a": "abc" is not a number/);
    expect(() => load(csvFile("a,y\n1,2\n3,4\n"), "label")).toThrow(/unknown target column "label"; columns are "a", "y"/);
    expect(() => load(csvFile("a,y\n1,2\n2,x\n"), "y", "regression")).toThrow(/column "y": "x" is not a number/);
    expect(() => load(csvFile("a,a\n1,2\n"), "a")).toThrow(/column "a" appears twice/);
    expect(() => load(csvFile("a,y\n"))).toThrow(/header row and at least one data row/);
  });
});

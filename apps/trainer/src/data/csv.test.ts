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

const load = (path: string, target = "y", task: "auto" | "classification" | "regression" = "auto") => loadCsv({ path, target, task, validationSize: 1, testSize: 1 }, new Rng(1));

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

  it("standardises a regression target with the training statistics and keeps them to report in original units", () => {
    const data = load(csvFile("x,y\n1,100000.5\n2,200000.5\n3,300000.25\n4,400000.5\n5,500000.75\n"));
    const { mean, std } = data.info.targetScale!;
    const ys = [...data.train.y];
    expect(ys.reduce((s, v) => s + v, 0) / ys.length).toBeCloseTo(0, 5);
    // Mapped back, the training targets are the file's values.
    for (const y of ys) expect([100000.5, 200000.5, 300000.25, 400000.5, 500000.75].some((v) => Math.abs(y * std + mean - v) < 0.1)).toBe(true);
    expect(std).toBeGreaterThan(1000);
  });

  it("never makes a class of a non-finite or non-integer target, and names the line and column", () => {
    expect(() => load(csvFile("a,y\n1,2\n2,NaN\n3,1\n"))).toThrow(/line 3, column "y": the target "NaN" is not a finite number/);
    expect(() => load(csvFile("a,y\n1,2\n2,3\n3,-inf\n"), "y", "classification")).toThrow(/line 4, column "y": the target "-inf" is not a finite number/);
    expect(() => load(csvFile("a,y\n1,2\n2,\n3,1\n"))).toThrow(/line 3, column "y": the target "" is empty/);
    expect(() => load(csvFile("a,y\n1,Infinity\n2,3\n3,1\n"))).toThrow(/line 2, column "y"/);
    // Any non-integer number makes it regression, so a text cell among them is an error, not a 4th class.
    expect(() => load(csvFile("a,y\n1,2\n2,2.5\n3,cat\n4,1\n"))).toThrow(/line 4, column "y": "cat" is not a number/);
    expect(load(csvFile("a,y\n1,2\n2,2.5\n3,1\n4,1\n")).info.task).toBe("regression");
    expect(load(csvFile("a,y\n1,2\n2,3\n3,1\n4,1\n")).info.task).toBe("classification");
    expect(() => load(csvFile("a,y\n1e39,2\n2,3\n3,1\n"))).toThrow(/line 2, column "a": 1e39 is beyond the float32 range/);
  });

  it("names the file when it cannot be read, and the size flag when a split does not fit", () => {
    const folder = mkdtempSync(join(tmpdir(), "csv-"));
    expect(() => load(folder)).toThrow(`cannot read --data ${folder}: EISDIR`);
    expect(() => load(join(folder, "none.csv"))).toThrow(/cannot read --data .*none\.csv: ENOENT/);
    const two = csvFile("a,y\n1,cat\n2,dog\n");
    expect(() => load(two)).toThrow("--validation-size 1 asks for 1 of the 1 examples left at that point; it must leave at least one for training");
    expect(() => loadCsv({ path: two, target: "y", task: "auto", validationSize: 0, testSize: 5 }, new Rng(1))).toThrow(/--test-size 5 asks for 5 of the 2 examples/);
  });
});

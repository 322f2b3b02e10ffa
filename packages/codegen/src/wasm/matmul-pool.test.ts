import { afterAll, describe, expect, it } from "vitest";
import { createMatmulPool, type MatmulPool } from "./matmul-pool.ts";
import type { MatmulSpec } from "./matmul-spec.ts";
import { resolveMatmul } from "./matmul-spec.ts";
import { planSplit, splitColumns, splitRows } from "./matmul-split.ts";
import { claimChunk, COMMON, JOB_SHIFT } from "./matmul-worker-source.ts";
import { defaultTuning } from "./matmul-tuning.ts";
import { checkKernel, place } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";

const specs: MatmulSpec[] = [
  { name: "nn", variant: "nn", m: 130, k: 67, n: 45, bias: true, activation: "relu" },
  { name: "tn", variant: "tn", m: 127, k: 33, n: 70, accumulate: true },
  { name: "nt", variant: "nt", m: 131, k: 58, n: 29, bias: true },
  { name: "nn_wide", variant: "nn", m: 9, k: 300, n: 260, lda: 310, ldc: 270 },
  { name: "tn_rows", variant: "tn", m: 300, k: 20, n: 13, bias: true },
  { name: "nt_rows", variant: "nt", m: 270, k: 9, n: 6, activation: "relu" },
  { name: "tiny", variant: "nn", m: 3, k: 4, n: 5 },
  // Row chunks of 64 would pack B 4 times, the unsplit kernel (row blocks of 128) twice: columns.
  { name: "nn_repack", variant: "nn", m: 256, k: 40, n: 64, bias: true, activation: "relu" },
];

describe("createMatmulPool", () => {
  const memory = new wasm.Memory({ initial: 40, maximum: 40, shared: true });
  let pool: MatmulPool;
  afterAll(() => pool?.close());

  it("splits large kernels (by rows, or by columns when M is small) with results identical to one thread, and correct", async () => {
    pool = await createMatmulPool(specs, memory, { workers: 1, minFlops: 1e4, scratchOffset: 36 * 65536, adaptive: false });
    expect(pool.scratchBytes).toBeGreaterThan(0);
    expect(36 * 65536 + pool.scratchBytes).toBeLessThan(39 * 65536);
    expect([...pool.splits.keys()].sort()).toEqual(["nn", "nn_repack", "nn_wide", "nt", "nt_rows", "tn", "tn_rows"]);
    // Without the adaptive choice every split kernel always runs split.
    expect(
      specs
        .filter((s) => pool.usingSplit(s.name))
        .map((s) => s.name)
        .sort(),
    ).toEqual(["nn", "nn_repack", "nn_wide", "nt", "nt_rows", "tn", "tn_rows"]);
    // Few rows: split by columns; many: by rows, several chunks per thread.
    expect(pool.splits.get("nn")!.map((p) => [p.spec.m, p.spec.n])).toEqual([
      [130, 8],
      [130, 8],
      [130, 16],
      [130, 13],
    ]);
    expect(pool.splits.get("tn_rows")!.map((p) => p.spec.n)).toEqual([13, 13, 13, 13]);
    expect(pool.splits.get("nn_repack")!.map((p) => [p.spec.m, p.spec.n])).toEqual([
      [256, 16],
      [256, 16],
      [256, 16],
      [256, 16],
    ]);
    for (const s of pool.specs) {
      const at = place(s, 4 * 101);
      const one = checkKernel(s, pool.single[s.name], memory, at, 11);
      const two = checkKernel(s, pool.kernels[s.name], memory, at, 11);
      expect(two.maxRelativeError, s.name).toBeLessThan(1e-4);
      expect(two.clobbered, s.name).toBe(0);
      // Bit-for-bit: every element is computed by the same instruction sequence.
      expect(Array.from(two.result), s.name).toEqual(Array.from(one.result));
    }
  });

  it("keeps results identical over repeated calls (no stale worker state)", () => {
    const s = pool.specs.find((x) => x.name === "nt")!;
    const at = place(s, 256);
    const first = checkKernel(s, pool.kernels.nt, memory, at, 5).result;
    for (let i = 0; i < 20; i++) expect(Array.from(checkKernel(s, pool.kernels.nt, memory, at, 5).result)).toEqual(Array.from(first));
  });

  it("gives the same bits whether threads poll before sleeping or sleep at once (spinMs 0)", async () => {
    const sleeper = await createMatmulPool(specs, memory, { workers: 1, minFlops: 1e4, scratchOffset: 36 * 65536, adaptive: false, spinMs: 0 });
    try {
      for (const name of ["nn", "tn", "nt_rows"]) {
        const s = sleeper.specs.find((x) => x.name === name)!;
        const at = place(s, 4 * 101);
        const polled = checkKernel(s, pool.kernels[name], memory, at, 13).result;
        for (let i = 0; i < 5; i++) expect(Array.from(checkKernel(s, sleeper.kernels[name], memory, at, 13).result), name).toEqual(Array.from(polled));
      }
    } finally {
      await sleeper.close();
    }
  });

  it("reports an out-of-bounds chunk as an error (from whichever thread ran it) instead of hanging", () => {
    const s = pool.specs.find((x) => x.name === "nn")!;
    // C placed so that only the later rows fall off the end of memory.
    const cOffset = 40 * 65536 - 4 * s.n * 70;
    expect(() => pool.kernels.nn(0, 4 * 10000, cOffset, 0)).toThrow(/memory access out of bounds|worker's chunk failed/);
  });

  it("adaptive mode alternates split and caller-only runs without changing a bit", async () => {
    const adaptive = await createMatmulPool(specs, memory, { workers: 1, minFlops: 1e4, scratchOffset: 36 * 65536 });
    try {
      const s = adaptive.specs.find((x) => x.name === "tn_rows")!;
      // Before any call has been measured the split is the choice; a kernel too small to split never is.
      expect(adaptive.usingSplit("tn_rows")).toBe(true);
      expect(adaptive.usingSplit("tiny")).toBe(false);
      const at = place(s, 256);
      const first = checkKernel(s, adaptive.single.tn_rows, memory, at, 9).result;
      for (let i = 0; i < 30; i++) expect(Array.from(checkKernel(s, adaptive.kernels.tn_rows, memory, at, 9).result)).toEqual(Array.from(first));
      // Which one runs after 31 calls depends on timing, so it is not asserted here (adaptive-choice.test.ts drives it with fixed times).
    } finally {
      await adaptive.close();
    }
  });

  it("rejects an unshared memory and closes idempotently", async () => {
    await expect(createMatmulPool(specs, new wasm.Memory({ initial: 1 }))).rejects.toThrow(/must be shared/);
    await pool.close();
    await pool.close();
  });
});

describe("splitRows", () => {
  it("covers every row once, in whole register tiles, as evenly as possible", () => {
    for (const [variant, m] of [
      ["nn", 130],
      ["nt", 7],
      ["tn", 1000],
      ["nn", 3],
    ] as const) {
      const s = resolveMatmul({ name: "x", variant, m, k: 8, n: 8, lda: variant === "tn" ? m + 3 : 40 });
      const parts = splitRows(s, 2, defaultTuning);
      const tileRows = variant === "nt" ? defaultTuning.ntRows : defaultTuning.rows;
      expect(parts.reduce((sum, p) => sum + p.spec.m, 0)).toBe(m);
      let row0 = 0;
      for (const p of parts) {
        expect(p.cShift).toBe(row0 * 4 * s.ldc);
        expect(p.aShift).toBe(row0 * 4 * (variant === "tn" ? 1 : s.lda));
        row0 += p.spec.m;
      }
      for (const p of parts.slice(0, -1)) expect(p.spec.m % tileRows).toBe(0);
      if (parts.length === 2) expect(Math.abs(parts[0].spec.m - parts[1].spec.m)).toBeLessThanOrEqual(tileRows);
    }
  });
});

describe("splitColumns and planSplit", () => {
  it("cover every column once in whole panels, shifting B, C and the bias", () => {
    for (const [variant, n] of [
      ["nn", 260],
      ["nt", 29],
      ["tn", 70],
      ["nn", 5],
    ] as const) {
      const s = resolveMatmul({ name: "x", variant, m: 9, k: 8, n, ldb: variant === "nt" ? 11 : n + 1 });
      const parts = splitColumns(s, 2, defaultTuning);
      const panel = variant === "nt" ? defaultTuning.ntCols : 4 * defaultTuning.vectors;
      expect(parts.reduce((sum, p) => sum + p.spec.n, 0)).toBe(n);
      let col0 = 0;
      for (const p of parts) {
        expect(p.cShift).toBe(4 * col0);
        expect(p.biasShift).toBe(4 * col0);
        expect(p.bShift).toBe(4 * col0 * (variant === "nt" ? s.ldb : 1));
        expect(p.aShift).toBe(0);
        col0 += p.spec.n;
      }
      for (const p of parts.slice(0, -1)) expect(p.spec.n % panel).toBe(0);
    }
  });

  it("cuts rows when there are two chunks of ≥ 64 rows per thread, else columns", () => {
    const big = resolveMatmul({ name: "x", variant: "nn", m: 1000, k: 8, n: 256 });
    const small = resolveMatmul({ name: "y", variant: "nt", m: 128, k: 8, n: 784 });
    expect(planSplit(big, 2, defaultTuning).map((p) => p.spec.n)).toEqual(Array(8).fill(256));
    expect(planSplit(small, 2, defaultTuning).map((p) => p.spec.m)).toEqual([128, 128, 128, 128]);
    // nt runs the broadcast kernel over transposed-packed panels of 8 columns: 98 panels cut 24, 24, 25, 25.
    expect(planSplit(small, 2, defaultTuning).map((p) => p.spec.n)).toEqual([192, 192, 200, 200]);
  });

  it("cuts columns when row chunks would pack B more often than the unsplit kernel", () => {
    const cut = (variant: "nn" | "nt" | "tn", m: number, k: number, n: number, pack = true) => {
      const parts = planSplit(resolveMatmul({ name: "x", variant, m, k, n }), 2, defaultTuning, pack);
      return parts.every((p) => p.spec.n === n) ? `rows ${parts.map((p) => p.spec.m)}` : `columns ${parts.map((p) => p.spec.n)}`;
    };
    // The wide net at batch 256: 4 row chunks of 64 would pack B 4 times, the unsplit kernel (row blocks of 128) twice.
    expect(cut("nn", 256, 1024, 1024)).toBe("columns 256,256,256,256");
    expect(cut("nt", 256, 1024, 1024)).toBe("columns 256,256,256,256");
    // dW: column chunks would each pack all of A's tiles; rows pack B about as often as unsplit.
    expect(cut("tn", 1024, 256, 1024)).toBe("rows 128,128,128,128,128,128,128,128");
    // Batch 1000: chunks of 125 rows, one row block each, as many as the unsplit kernel's.
    expect(cut("nn", 1000, 784, 256)).toBe("rows 124,124,124,124,124,124,128,128");
    // Without scratch nothing is packed: rows.
    expect(cut("nn", 256, 1024, 1024, false)).toBe("rows 64,64,64,64");
  });
});

describe("claimChunk", () => {
  it("hands out each chunk of the open job once, and nothing to a thread holding an old job id", () => {
    const common = new Int32Array(new SharedArrayBuffer(16));
    Atomics.store(common, COMMON.claim, 7 << JOB_SHIFT);
    expect([claimChunk(common, 7, 3), claimChunk(common, 7, 3), claimChunk(common, 7, 3), claimChunk(common, 7, 3)]).toEqual([0, 1, 2, -1]);
    Atomics.store(common, COMMON.claim, 8 << JOB_SHIFT);
    expect(claimChunk(common, 7, 3)).toBe(-1);
    expect(claimChunk(common, 8, 3)).toBe(0);
    // Job ids up to 2^24 - 1 survive the sign bit of the Int32 word.
    const high = (1 << 24) - 1;
    Atomics.store(common, COMMON.claim, high << JOB_SHIFT);
    expect(claimChunk(common, high, 2)).toBe(0);
    expect(claimChunk(common, high, 2)).toBe(1);
    expect(claimChunk(common, high, 2)).toBe(-1);
  });
});

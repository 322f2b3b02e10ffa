import { describe, expect, it } from "vitest";
import { buildMatmulKernels } from "./matmul-kernels.ts";
import type { MatmulSpec, MatmulVariant } from "./matmul-spec.ts";
import { checkKernel, place, seededRandom } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";
import { referenceMatmul } from "./reference-matmul.ts";
import { runInTempFolder } from "../testing/child.ts";

const variants: MatmulVariant[] = ["nn", "tn", "nt"];
const TOLERANCE = 1e-4;

/**
 * Runs every spec through one module and one memory, operands at an odd non-zero
 * base; with `pack`, the kernels pack B panels into scratch placed after all operands.
 */
function checkAll(specs: MatmulSpec[], options: Parameters<typeof buildMatmulKernels>[1] = {}, base = 4 * 37, pack = false) {
  const plain = buildMatmulKernels(specs, options);
  let bytes = 0;
  for (const s of plain.specs) bytes = Math.max(bytes, place(s, base).end + 1024);
  const built = pack ? buildMatmulKernels(specs, { ...options, scratchOffset: bytes }) : plain;
  expect(wasm.validate(built.bytes)).toBe(true);
  if (pack) expect(built.scratchBytes).toBeGreaterThan(0);
  const memory = new wasm.Memory({ initial: Math.ceil((bytes + built.scratchBytes) / 65536) });
  const kernels = built.instantiate(memory);
  return built.specs.map((s, index) => ({ spec: s, ...checkKernel(s, kernels[s.name], memory, place(s, base), 1000 + index) }));
}

function expectAccurate(results: ReturnType<typeof checkAll>) {
  for (const r of results) {
    const label = `${r.spec.name} (${r.spec.variant} m=${r.spec.m} k=${r.spec.k} n=${r.spec.n})`;
    expect(r.maxRelativeError, label).toBeLessThan(TOLERANCE);
    expect(r.clobbered, `${label}: bytes written outside C`).toBe(0);
  }
}

describe("buildMatmulKernels", () => {
  it("matches the float64 reference for every variant on odd sizes, including 1 and non-tile multiples", () => {
    const sizes = [1, 2, 3, 5, 17, 33];
    const specs: MatmulSpec[] = [];
    for (const variant of variants) {
      for (const m of sizes)
        for (const k of [1, 3, 17])
          for (const n of sizes) {
            specs.push({ name: `${variant}_${m}_${k}_${n}`, variant, m, k, n });
          }
    }
    expectAccurate(checkAll(specs));
  });

  it("matches the reference at the MLP's shapes and larger odd ones (127, 130)", () => {
    const shapes: Array<[number, number, number]> = [
      [127, 130, 17],
      [130, 127, 33],
      [32, 784, 10],
      [64, 256, 130],
    ];
    const specs = variants.flatMap((variant) => shapes.map(([m, k, n]): MatmulSpec => ({ name: `${variant}_${m}_${k}_${n}`, variant, m, k, n })));
    expectAccurate(checkAll(specs));
  });

  it("fuses bias, relu and accumulation in every combination", () => {
    const specs: MatmulSpec[] = [];
    for (const variant of variants) {
      for (const bias of [false, true])
        for (const activation of ["none", "relu"] as const)
          for (const accumulate of [false, true]) {
            specs.push({ name: `${variant}_${bias}_${activation}_${accumulate}`, variant, m: 19, k: 23, n: 29, bias, activation, accumulate });
          }
    }
    const results = checkAll(specs);
    expectAccurate(results);
    // relu really clamps: about half of the outputs are exactly zero.
    const relu = results.find((r) => r.spec.variant === "nn" && r.spec.activation === "relu" && !r.spec.accumulate)!;
    const zeros = relu.result.filter((x) => x === 0).length;
    expect(zeros / relu.result.length).toBeGreaterThan(0.25);
  });

  it("gives the same results when packing B panels into scratch (odd sizes, K blocks, epilogues)", () => {
    const specs: MatmulSpec[] = [];
    for (const variant of variants) {
      for (const [m, k, n] of [
        [1, 1, 8],
        [17, 33, 5],
        [130, 127, 17],
        [9, 300, 70],
        [21, 19, 27],
      ]) {
        specs.push({ name: `${variant}_${m}_${k}_${n}`, variant, m, k, n, bias: true, activation: "relu", accumulate: m === 21, ldb: variant === "nt" ? k + 2 : n + 3 });
      }
    }
    const unpacked = checkAll(specs);
    const packed = checkAll(specs, {}, 4 * 37, true);
    expectAccurate(packed);
    packed.forEach((r, i) => {
      // nt packed is the broadcast kernel (k-ascending sums), unpacked the dot kernel: equal up to rounding only.
      if (r.spec.variant !== "nt") expect(Array.from(r.result), r.spec.name).toEqual(Array.from(unpacked[i].result));
    });
    expectAccurate(checkAll(specs, { tuning: { kBlock: 16, rowBlock: 8 } }, 4 * 37, true));
  });

  it("tn packs row blocks of Aᵀ into tiles: bit-identical to reading A in place, for any tile, strided A, several K and row blocks", () => {
    const specs: MatmulSpec[] = [
      [1, 5, 16],
      [3, 7, 33],
      [130, 127, 17],
      [37, 300, 40],
      [257, 65, 16],
    ].map(([m, k, n]) => ({ name: `tn_${m}_${k}_${n}`, variant: "tn", m, k, n, lda: m + 5, ldb: n + 1, bias: true, activation: "relu", accumulate: m === 37 }));
    const unpacked = checkAll(specs);
    for (const tuning of [{}, { tnRows: 1, tnVectors: 4 }, { tnRows: 3, tnVectors: 2 }, { tnRows: 4, tnVectors: 1 }, { tnRows: 5, tnVectors: 2, kBlock: 16, rowBlock: 12 }]) {
      const packed = checkAll(specs, { tuning }, 4 * 37, true);
      expectAccurate(packed);
      packed.forEach((r, i) => {
        expect(Array.from(r.result), `${r.spec.name} ${JSON.stringify(tuning)}`).toEqual(Array.from(unpacked[i].result));
      });
    }
  });

  it("nt with scratch transposes panels of B and sums like nn: bit-identical to nn on Bᵀ stored K×N (odd sizes, strided B, K blocks)", () => {
    for (const [m, k, n, tuning] of [
      [1, 1, 1, {}],
      [5, 3, 7, {}],
      [130, 300, 37, {}],
      [9, 33, 70, { vectors: 1, rows: 3 }],
      [21, 19, 27, { kBlock: 6, rowBlock: 8, vectors: 4, rows: 2 }],
    ] as const) {
      const ldb = k + 3;
      const common = { m, k, n, bias: true, activation: "relu" as const, accumulate: m === 21 };
      const options = { tuning, scratchOffset: 0 };
      const nt = buildMatmulKernels([{ name: "nt", variant: "nt", ldb, ...common }], options);
      const nn = buildMatmulKernels([{ name: "nn", variant: "nn", ...common }], options);
      const scratch = Math.max(nt.scratchBytes, nn.scratchBytes);
      // Scratch first, then A (m×k), B stored n×ldb, Bᵀ stored k×n, the bias, and C for each kernel.
      const floats = [m * k, n * ldb, k * n, n, m * n, m * n];
      const offsets = [scratch + 64];
      for (const f of floats) offsets.push(offsets[offsets.length - 1] + 4 * f + 64);
      const memory = new wasm.Memory({ initial: Math.ceil(offsets[floats.length] / 65536) + 1 });
      const f32 = new Float32Array(memory.buffer);
      const random = seededRandom(m * 7 + n);
      const [A, B, Bt, bias, C1, C2] = offsets.slice(0, 6).map((o) => o / 4);
      for (let i = 0; i < m * k; i++) f32[A + i] = random() * 2 - 1;
      for (let j = 0; j < n; j++) for (let kk = 0; kk < ldb; kk++) f32[B + j * ldb + kk] = kk < k ? random() * 2 - 1 : Number.NaN;
      for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) f32[Bt + kk * n + j] = f32[B + j * ldb + kk];
      for (let j = 0; j < n; j++) f32[bias + j] = random() - 0.5;
      for (let i = 0; i < m * n; i++) f32[C1 + i] = f32[C2 + i] = random();
      nt.instantiate(memory).nt(4 * A, 4 * B, 4 * C1, 4 * bias, 0);
      nn.instantiate(memory).nn(4 * A, 4 * Bt, 4 * C2, 4 * bias, 0);
      const label = `m=${m} k=${k} n=${n} ${JSON.stringify(tuning)}`;
      expect(Array.from(f32.subarray(C1, C1 + m * n)), label).toEqual(Array.from(f32.subarray(C2, C2 + m * n)));
      expect(
        f32.subarray(C1, C1 + m * n).some((x) => x !== 0 && !Number.isNaN(x)),
        label,
      ).toBe(true);
    }
  });

  it("nn/tn/nt with scratch sum every element in ascending k in f32, whatever the blocking: equal to a scalar f32 loop bit for bit", () => {
    for (const variant of variants) {
      for (const tuning of [{}, { kBlock: 16, rowBlock: 8 }, { kBlock: 7, rowBlock: 5, rows: 3 }]) {
        const [m, k, n] = [37, 53, 40];
        const built = buildMatmulKernels([{ name: "k", variant, m, k, n }], { tuning, scratchOffset: 0, relaxedSimd: false });
        const [A, B, C] = [built.scratchBytes + 64, built.scratchBytes + 64 + 4 * m * k, built.scratchBytes + 64 + 4 * (m * k + k * n)].map((o) => o / 4);
        const memory = new wasm.Memory({ initial: Math.ceil((4 * (C + m * n)) / 65536) + 1 });
        const f32 = new Float32Array(memory.buffer);
        const random = seededRandom(k + n);
        for (let i = 0; i < m * k + k * n; i++) f32[A + i] = random() * 2 - 1;
        // op(A)[i][kk] and op(B)[kk][j] as each variant stores them.
        const a = (i: number, kk: number) => f32[A + (variant === "tn" ? kk * m + i : i * k + kk)];
        const b = (kk: number, j: number) => f32[B + (variant === "nt" ? j * k + kk : kk * n + j)];
        built.instantiate(memory).k(4 * A, 4 * B, 4 * C, 0, 0);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let acc = 0;
            for (let kk = 0; kk < k; kk++) acc = Math.fround(acc + Math.fround(a(i, kk) * b(kk, j)));
            if (f32[C + i * n + j] !== acc) expect(f32[C + i * n + j], `${variant} ${JSON.stringify(tuning)} C[${i}][${j}]`).toBe(acc);
          }
      }
    }
  });

  it("fuses sigmoid and tanh epilogues (polynomial approximations) in every variant", () => {
    const specs: MatmulSpec[] = [];
    for (const variant of variants) {
      for (const activation of ["sigmoid", "tanh"] as const) {
        specs.push({ name: `${variant}_${activation}`, variant, m: 13, k: 9, n: 19, bias: true, activation });
      }
    }
    expectAccurate(checkAll(specs));
  });

  it("honours leading dimensions larger than the rows (sub-matrices of wider buffers)", () => {
    const specs = variants.map(
      (variant): MatmulSpec => ({
        name: `${variant}_strided`,
        variant,
        m: 13,
        k: 11,
        n: 18,
        lda: 41,
        ldb: 37,
        ldc: 23,
        bias: true,
        activation: "relu",
      }),
    );
    expectAccurate(checkAll(specs));
  });

  it("is exact for small integers (no hidden reassociation error on exactly representable sums)", () => {
    const built = buildMatmulKernels([
      { name: "nt", variant: "nt", m: 3, k: 9, n: 5 },
      { name: "nn", variant: "nn", m: 3, k: 9, n: 5 },
    ]);
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    const random = seededRandom(7);
    for (let x = 0; x < 200; x++) f32[x] = Math.round(random() * 8);
    const { nt, nn } = built.instantiate(memory);
    nt(0, 4 * 27, 4 * 100);
    nn(0, 4 * 27, 4 * 150);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++) {
        let dotNt = 0,
          dotNn = 0;
        for (let k = 0; k < 9; k++) {
          dotNt += f32[i * 9 + k] * f32[27 + j * 9 + k];
          dotNn += f32[i * 9 + k] * f32[27 + k * 5 + j];
        }
        expect(f32[100 + i * 5 + j]).toBe(dotNt);
        expect(f32[150 + i * 5 + j]).toBe(dotNn);
      }
  });

  it("gives the same results with other register tiles and unroll factors", () => {
    const specs = variants.map((variant): MatmulSpec => ({ name: variant, variant, m: 21, k: 19, n: 27, bias: true, activation: "relu", accumulate: true }));
    for (const tuning of [
      { rows: 1, vectors: 1, ntRows: 1, ntCols: 1, kUnroll: 1 },
      { rows: 6, vectors: 2, ntRows: 2, ntCols: 4, kUnroll: 3, order: "rows" as const },
      { rowBlock: 8, kBlock: 4 },
      { rowBlock: 5, rows: 3, ntRows: 3, kBlock: 7 },
    ]) {
      expectAccurate(checkAll(specs, { tuning }));
    }
  });

  // Node 20 validates relaxed SIMD only behind a flag, so the FMA kernels run in a
  // child node with --experimental-wasm-relaxed-simd; this process checks the results.
  it("matches the reference with fused multiply-add (relaxed SIMD, in a flagged child node)", () => {
    const specs = variants.flatMap((variant) =>
      [
        [17, 33, 5],
        [130, 127, 17],
      ].map(([m, k, n]): MatmulSpec => ({ name: `${variant}_${m}`, variant, m, k, n, bias: true, activation: "relu" })),
    );
    const built = buildMatmulKernels(specs, { relaxedSimd: true });
    const base = 4 * 37;
    const bytes = Math.max(...built.specs.map((spec) => place(spec, base).end)) + 1024;
    const inputs = new Float32Array(bytes / 4);
    const random = seededRandom(77);
    for (let i = 0; i < inputs.length; i++) inputs[i] = random();
    const calls = built.specs.map((spec) => ({ name: spec.name, at: place(spec, base) }));
    const child = `
      import { readFileSync } from "node:fs";
      const calls = JSON.parse(readFileSync("calls.json", "utf8"));
      const module = new WebAssembly.Module(readFileSync("kernels.wasm"));
      const inputs = new Float32Array(readFileSync("inputs.f32").buffer.slice(0));
      const out = {};
      for (const { name, at, size } of calls) {
        const memory = new WebAssembly.Memory({ initial: Math.ceil(inputs.byteLength / 65536) });
        new Float32Array(memory.buffer).set(inputs);
        new WebAssembly.Instance(module, { env: { memory } }).exports[name](at.a, at.b, at.c, at.bias);
        out[name] = Array.from(new Float32Array(memory.buffer, at.c, size));
      }
      console.log(JSON.stringify(out));
    `;
    const withSizes = built.specs.map((spec, i) => ({ ...calls[i], size: spec.m * spec.ldc }));
    const stdout = runInTempFolder(
      { "kernels.wasm": built.bytes, "inputs.f32": new Uint8Array(inputs.buffer), "calls.json": JSON.stringify(withSizes), "main.mjs": child },
      "main.mjs",
      ["--experimental-wasm-relaxed-simd"],
    );
    const results = JSON.parse(stdout) as Record<string, number[]>;
    for (const spec of built.specs) {
      const at = place(spec, base);
      const want = referenceMatmul(spec, inputs, at);
      const got = results[spec.name];
      let worst = 0;
      for (let i = 0; i < spec.m; i++) {
        for (let j = 0; j < spec.n; j++) {
          const w = want[i * spec.n + j];
          worst = Math.max(worst, Math.abs(got[i * spec.ldc + j] - w) / Math.max(1, Math.abs(w)));
        }
      }
      expect(worst, spec.name).toBeLessThan(TOLERANCE);
    }
  });

  it("instantiates against a shared memory as well", () => {
    const built = buildMatmulKernels([{ name: "nn", variant: "nn", m: 9, k: 7, n: 10 }]);
    const memory = new wasm.Memory({ initial: 1, maximum: 16, shared: true });
    const kernels = built.instantiate(memory);
    const s = built.specs[0];
    const r = checkKernel(s, kernels.nn, memory, place(s, 64), 3);
    expect(r.maxRelativeError).toBeLessThan(TOLERANCE);
  });

  it("traps instead of writing out of bounds, and rejects bad specs with a message naming the kernel", () => {
    const built = buildMatmulKernels([{ name: "big", variant: "nn", m: 64, k: 64, n: 64 }]);
    const memory = new wasm.Memory({ initial: 1 });
    expect(() => built.instantiate(memory).big(0, 0, 65536 - 100)).toThrow(wasm.RuntimeError);
    expect(() => buildMatmulKernels([{ name: "bad", variant: "nn", m: 4, k: 8, n: 4, lda: 3 }])).toThrow(/"bad".*lda ≥ 8/);
    expect(() => buildMatmulKernels([{ name: "zero", variant: "nt", m: 0, k: 8, n: 4 }])).toThrow(/"zero": m must be a positive integer/);
    expect(() =>
      buildMatmulKernels([
        { name: "x", variant: "nn", m: 1, k: 1, n: 1 },
        { name: "x", variant: "nn", m: 1, k: 1, n: 1 },
      ]),
    ).toThrow(/two functions named "x"/);
  });
});

import { input } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { emit, nonZeroRuns } from "./emit.ts";
import { CHILD_PROCESSES_MS, chromium, runInChromium, runInTempFolder, runTsScript } from "./testing/child.ts";
import { expectClose } from "./testing/compare.ts";
import { mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";
import { wasmFeatures } from "./wasm/index.ts";

const sizes = { batch: 8 };
const mlp = { sizes: [20, 16, 4], optimizer: "adam", seed: 6 } as const;
const { spec } = mlpStep(mlp);
const random = rng(2);
const batches = Array.from({ length: 3 }, () => ({ x: Array.from(randomF32(160, random)), y: Array.from(randomLabels(8, 4, random)) }));

/** A main module that trains with ./step.mjs (after `prelude`) and prints which kernels ran, losses and params. */
const runner = (createArgs: string, prelude = "") => `
${prelude}
const { default: createStep } = await import("./step.mjs");
const step = createStep(${createArgs});
const losses = ${JSON.stringify(batches)}.map((b) => step.run({ x: Float32Array.from(b.x), y: Int32Array.from(b.y) }).loss[0]);
const params = Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))]));
console.log(JSON.stringify({ wasmSimd: step.wasmSimd, losses, params }));
`;

function inProcess(backend: "js" | "auto") {
  const step = compile({ ...spec, sizes }, { backend });
  const losses = batches.map((b) => step.run({ x: Float32Array.from(b.x), y: Int32Array.from(b.y) }).loss[0]);
  return { losses, params: Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))])) };
}

/** Emits the MLP step in a fresh node process started with `flags`. */
const emitIn = (flags: readonly string[], options: string) =>
  runTsScript(
    (src) => `
import { emit } from ${src("emit.ts")};
import { mlpStep } from ${src("testing/mlp.ts")};
const { spec } = mlpStep(${JSON.stringify(mlp)});
process.stdout.write(emit({ ...spec, sizes: ${JSON.stringify(sizes)} }, ${options}));
`,
    flags,
  );

describe.runIf(wasmFeatures().simd && !wasmFeatures().relaxedSimd)("emit() targets baseline Wasm SIMD, whatever the emitting engine has", () => {
  it(
    "a module emitted under --experimental-wasm-relaxed-simd runs its Wasm kernels in plain node, as compile() here",
    () => {
      const source = emitIn(["--experimental-wasm-relaxed-simd"], "{}");
      const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner("") }, "main.mjs"));
      expect(result).toEqual({ wasmSimd: true, ...inProcess("auto") });
    },
    CHILD_PROCESSES_MS,
  );

  it(
    "relaxedSimd: true where the engine lacks it falls back to the JS kernels",
    () => {
      const source = emitIn(["--experimental-wasm-relaxed-simd"], "{ relaxedSimd: true }");
      const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner("") }, "main.mjs"));
      expect(result).toEqual({ wasmSimd: false, ...inProcess("js") });
      // With the flag, the same module validates its FMA kernels and uses them.
      const flagged = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner("") }, "main.mjs", ["--experimental-wasm-relaxed-simd"]));
      expect(flagged.wasmSimd).toBe(true);
      flagged.losses.forEach((l: number, i: number) => {
        expectClose([l], [result.losses[i]], `loss ${i}, FMA vs JS`, 1e-5);
      });
    },
    CHILD_PROCESSES_MS,
  );
});

describe("an emitted module without Wasm SIMD runs its JS kernels", () => {
  const source = emit({ ...spec, sizes });
  const js = inProcess("js");

  it('options.backend "js" forces them: compile({ backend: "js" })\'s results, bit for bit', () => {
    expect(JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner('undefined, { backend: "js" }') }, "main.mjs"))).toEqual({ wasmSimd: false, ...js });
  });

  it("an engine whose WebAssembly.validate refuses the kernels (no SIMD) gets them too", () => {
    const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner("", "WebAssembly.validate = () => false;") }, "main.mjs"));
    expect(result).toEqual({ wasmSimd: false, ...js });
  });

  it("an engine without WebAssembly at all gets them too", () => {
    const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner("", "delete globalThis.WebAssembly;") }, "main.mjs"));
    expect(result).toEqual({ wasmSimd: false, ...js });
  });

  it.runIf(wasmFeatures().simd)("the Wasm and JS paths agree within float32 rounding", () => {
    const wasm = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner("") }, "main.mjs"));
    expect(wasm.wasmSimd).toBe(true);
    expectClose(wasm.losses, js.losses, "losses", 1e-5);
    for (const name of Object.keys(js.params)) expectClose(wasm.params[name], js.params[name], name, 1e-4);
  });

  it("a bad option is an error naming what was expected", () => {
    const out = runInTempFolder(
      { "step.mjs": source, "main.mjs": 'import createStep from "./step.mjs"; try { createStep(undefined, { backend: "gpu" }); } catch (e) { console.log(e.message); }' },
      "main.mjs",
    );
    expect(out.trim()).toBe('createStep: options.backend must be "auto" or "js", got "gpu"');
  });
});

describe.runIf(wasmFeatures().simd)('an emitted module with backend "wasm" is strict', () => {
  const x = input("x", [8, 12]);
  const source = emit({ inputs: [x], outputs: { y: x.mul(x).relu() } }, { backend: "wasm" });
  const main = (prelude: string) =>
    `${prelude}\nconst { default: createStep } = await import("./step.mjs");\ntry { console.log(createStep().run({ x: new Float32Array(96).fill(3) }).y[95]); } catch (e) { console.log(e.message); }`;

  it("runs its Wasm kernels where the engine validates them", () => {
    expect(runInTempFolder({ "step.mjs": source, "main.mjs": main("") }, "main.mjs").trim()).toBe("9");
  });
  it("fails at createStep() where it does not, instead of running something else", () => {
    expect(runInTempFolder({ "step.mjs": source, "main.mjs": main("WebAssembly.validate = () => false;") }, "main.mjs").trim()).toBe(
      'createStep: this module was emitted with backend "wasm" and has no JS kernels, but this engine does not ' +
        'validate its Wasm SIMD kernels; emit it with backend "auto" to fall back to JS',
    );
  });
});

describe("zero-initialised buffers are not embedded", () => {
  it("the Adam step's moments and step count leave no long run of zeros in the text", () => {
    const source = emit({ ...spec, sizes });
    expect(source).not.toMatch(/A{88}/);
  });
  it("nonZeroRuns keeps short zero gaps inside a run and drops long ones", () => {
    const image = new Uint8Array(400);
    image.set([1, 0, 2], 10);
    image[300] = 7;
    expect(nonZeroRuns(image).map(([o, b]) => [o, Array.from(b)])).toEqual([
      [10, [1, 0, 2]],
      [300, [7]],
    ]);
    expect(nonZeroRuns(new Uint8Array(100))).toEqual([]);
  });
});

describe.runIf(chromium !== null)("the same emitted module in headless Chromium", () => {
  const source = emit({ ...spec, sizes });
  const train = (options: string) => `
const { default: createStep } = await load();
const step = createStep(undefined, ${options});
const losses = ${JSON.stringify(batches)}.map((b) => step.run({ x: Float32Array.from(b.x), y: Int32Array.from(b.y) }).loss[0]);
return { wasmSimd: step.wasmSimd, losses, params: Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))])) };`;

  for (const [options, path] of [
    ["{}", "auto"],
    ['{ backend: "js" }', "js"],
  ] as const) {
    it(
      `runs its ${path === "auto" ? "Wasm SIMD" : "JS"} kernels there with the results of compile({ backend: "${path}" }) in Node`,
      () => {
        const result = runInChromium(source, train(options)) as { wasmSimd: boolean; losses: number[]; params: Record<string, number[]> };
        const expected = inProcess(path);
        expect(result.wasmSimd).toBe(path === "auto");
        // Same kernels, another V8: equal but for the last bits of Math.exp/log, if those differ.
        expectClose(result.losses, expected.losses, "losses", 1e-6);
        for (const name of Object.keys(expected.params)) expectClose(result.params[name], expected.params[name], name, 1e-6);
      },
      CHILD_PROCESSES_MS,
    );
  }

  it(
    "a module emitted with relaxedSimd runs its FMA kernels there (Chromium validates relaxed SIMD; plain Node falls back, above)",
    () => {
      const relaxed = emit({ ...spec, sizes }, { relaxedSimd: true });
      const result = runInChromium(relaxed, train("{}")) as { wasmSimd: boolean; losses: number[] };
      expect(result.wasmSimd).toBe(true);
      expectClose(result.losses, inProcess("js").losses, "losses, FMA vs JS", 1e-5);
    },
    CHILD_PROCESSES_MS,
  );
});

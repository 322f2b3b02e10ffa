import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { cnnSlowPeers, isCnn } from "./cnn.ts";
import { allConfigs, describeConfig, standardConfigs } from "./configs.ts";
import { contenders, defaultContenders } from "./contenders/index.ts";
import { browserContenders } from "./browser/contenders.ts";
import { chromiumPath, hasChromium, openChromiumBench } from "./browser/chromium.ts";
import type { BrowserEnv, Peaks } from "./browser/protocol.ts";
import { compileTimeReport } from "./compile-time.ts";
import { fullGc } from "./gc.ts";
import { makeProblem } from "./problem.ts";
import { type ConfigRun, stepReport } from "./report.ts";
import { rooflineReport } from "./roofline.ts";
import { type ContenderRun, runConfig } from "./run-config.ts";
import { wasmSimdPeak } from "./peak.ts";
import { nodeMultiThreadPeak } from "./peak-threads-node.ts";
import { higherPeaks, stepRooflineReport } from "./step-roofline.ts";

const usage = `Usage: pnpm bench [-- options]

Runs gradfold and its peers on the same MLP training steps, in Node and in headless
Chromium (one process, one page), and prints markdown tables at the end (progress
goes to stderr).

  --configs a,b        configs to run (default: all MLPs): ${standardConfigs.map((c) => c.id).join(", ")};
                       opt-in: ${allConfigs
                         .filter((c) => !standardConfigs.includes(c))
                         .map((c) => c.id)
                         .join(", ")} (a CNN: jax-js ~30 s and tfjs-wasm ~10 s per step)
  --contenders a,b     contenders, the first is the ratio baseline (default: ${defaultContenders.join(",")});
                       also: ${Object.keys(contenders)
                         .filter((c) => !(defaultContenders as readonly string[]).includes(c))
                         .join(", ")}
  --steps N            timed steps per contender and config (default 30)
  --warmup N           untimed steps first, the first reported apart (default 5)
  --budget S           seconds of timed steps per contender and config; slow ones
                       take fewer steps, at least 3 (default 10)
  --loss-steps N       first-step losses compared across contenders (default 3)
  --skip id:config     skip one contender on one config (repeatable), e.g. tfjs-cpu:wide-b256-adam
  --slow-peers         also run tfjs-cpu on a CNN config (~6 minutes per step; left out by default)
  --sections a,b       steps, compile, roofline (default: all); compile and roofline
                       run in Node only
  --platforms a,b      node, chromium (default: both; chromium only where Debian's
                       /usr/bin/chromium or $CHROMIUM_PATH exists). The steps run in
                       each, with the same configs, data and contenders
  --browser            the same as --platforms chromium
  --seed N             data and init seed (default 1234)
  --gc                 full garbage collection (untimed) before every timed step
  --out FILE           also write the tables to FILE
  --help
`;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Every requested contender's run in table order; those that did not run keep their column, marked with `reason`. */
function withSkipped(ids: readonly string[], runs: readonly ContenderRun[], reason: (id: string) => string): ContenderRun[] {
  return ids.map(
    (id) =>
      runs.find((r) => r.id === id) ?? {
        id,
        label: contenders[id]().label,
        error: reason(id),
        prepareMs: Number.NaN,
        firstStepMs: Number.NaN,
        samples: [],
        medianMs: undefined,
        cpuSamples: [],
        medianCpuMs: undefined,
        losses: [],
        notes: [],
      },
  );
}

function list(value: string | undefined, all: readonly string[]): string[] {
  if (value === undefined) return [...all];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

async function main(): Promise<void> {
  // `pnpm bench -- --out x` hands the script a literal "--" first.
  const args = process.argv.slice(2);
  if (args[0] === "--") args.shift();
  const { values } = parseArgs({
    args,
    options: {
      configs: { type: "string" },
      contenders: { type: "string" },
      steps: { type: "string", default: "30" },
      warmup: { type: "string", default: "5" },
      budget: { type: "string", default: "10" },
      "loss-steps": { type: "string", default: "3" },
      skip: { type: "string", multiple: true, default: [] },
      "slow-peers": { type: "boolean", default: false },
      sections: { type: "string", default: "steps,compile,roofline" },
      seed: { type: "string", default: "1234" },
      gc: { type: "boolean", default: false },
      out: { type: "string" },
      platforms: { type: "string" },
      browser: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const configIds = list(
    values.configs,
    standardConfigs.map((c) => c.id),
  );
  const configs = configIds.map((id) => {
    const c = allConfigs.find((s) => s.id === id);
    if (!c) throw new Error(`unknown config ${JSON.stringify(id)}; expected one of ${allConfigs.map((s) => s.id).join(", ")}`);
    return c;
  });
  const contenderIds = list(values.contenders, defaultContenders);
  for (const id of contenderIds) {
    if (!Object.hasOwn(contenders, id)) throw new Error(`unknown contender ${JSON.stringify(id)}; expected one of ${Object.keys(contenders).join(", ")}`);
  }
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  const steps = Math.floor(int("steps", values.steps));
  const warmup = Math.floor(int("warmup", values.warmup));
  const budgetMs = int("budget", values.budget) * 1000;
  const lossSteps = Math.floor(int("loss-steps", values["loss-steps"]));
  const seed = Math.floor(int("seed", values.seed));
  const skips = new Set(values.skip);
  const sections = new Set(values.sections.split(","));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const platforms = new Set(values.browser ? ["chromium"] : list(values.platforms, hasChromium() ? ["node", "chromium"] : ["node"]));
  for (const p of platforms) if (p !== "node" && p !== "chromium") throw new Error(`unknown platform ${JSON.stringify(p)}; expected node or chromium`);
  if (values.platforms === undefined && !values.browser && !hasChromium()) log(`no Chromium at ${chromiumPath}: running in Node only`);

  const parts: string[] = [
    `## gradfold bench — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}`,
    `Command: \`pnpm bench ${args.join(" ")}\` (seed ` +
      `${seed}${values.gc ? ", full GC before each timed step" : ""}; one process per platform; in Node every peer ` +
      `is single-threaded; timings from a shared machine — read the ratios).`,
  ];

  const browser = platforms.has("chromium") ? await openChromiumBench(log) : undefined;
  try {
    if (sections.has("steps")) {
      const nodeResults: ConfigRun[] = [];
      const browserResults: ConfigRun[] = [];
      // The roofs are measured before the first config and after each, the best kept (higherPeaks).
      let nodePeaks: { one: number; many: number } | undefined;
      let browserPeaks: Peaks | undefined;
      let peakSamples = 0;
      const samplePeaks = async () => {
        peakSamples++;
        if (platforms.has("node")) nodePeaks = higherPeaks(nodePeaks, { one: wasmSimdPeak(), many: await nodeMultiThreadPeak(2) });
        if (browser) browserPeaks = higherPeaks(browserPeaks, await browser.run<Peaks>({ kind: "peaks", threads: 2 }));
      };
      log("peaks");
      await samplePeaks();
      for (const config of configs) {
        log(`${config.id}: ${describeConfig(config)}`);
        // A CNN leaves out its very slow peers (cnn.ts) unless --slow-peers asks for them.
        const slow = (id: string) => isCnn(config) && !values["slow-peers"] && Object.hasOwn(cnnSlowPeers, id);
        const skipReason = (id: string) => (slow(id) ? `skipped: ${cnnSlowPeers[id]}` : "skipped (--skip)");
        const wanted = contenderIds.filter((id) => !skips.has(`${id}:${config.id}`) && !slow(id));
        if (platforms.has("node")) {
          const problem = makeProblem(config, seed);
          const runs = await runConfig(
            problem,
            wanted.map((id) => contenders[id]()),
            { warmup, steps, budgetMs, lossSteps, collectGarbage: values.gc ? fullGc : undefined, cpuMs, log },
          );
          nodeResults.push({ config, runs: withSkipped(contenderIds, runs, skipReason) });
        }
        if (browser) {
          log(`${config.id} in Chromium:`);
          const inBrowser = wanted.filter((id) => Object.hasOwn(browserContenders, id));
          const runs = await browser.run<ContenderRun[]>({ kind: "config", config, seed, contenders: inBrowser, warmup, steps, budgetMs, lossSteps });
          browserResults.push({ config, runs: withSkipped(contenderIds, runs, (id) => (slow(id) ? skipReason(id) : "not run in Chromium (--skip, or Node only)")) });
        }
        log("peaks");
        await samplePeaks();
      }
      if (platforms.has("node")) {
        const roofs = { kind: "Wasm SIMD f32x4 mul+add; Node 20 has no relaxed SIMD", one: nodePeaks!.one, threads: 2, many: nodePeaks!.many, samples: peakSamples };
        parts.push(`## In Node ${process.version}`, stepReport(nodeResults, lossSteps, " — Node"), stepRooflineReport(nodeResults, roofs, "gradfold", " — Node"));
      }
      if (browser) {
        const env = await browser.run<BrowserEnv>({ kind: "env" });
        const peaks = browserPeaks!;
        const roofs =
          peaks.fma !== undefined
            ? {
                kind: "relaxed SIMD f32x4.relaxed_madd (FMA), which gradfold's kernels use here",
                one: peaks.fma,
                threads: peaks.threads,
                many: peaks.fmaThreads,
                samples: peakSamples,
              }
            : { kind: "Wasm SIMD f32x4 mul+add", one: peaks.simd, threads: peaks.threads, many: peaks.simdThreads, samples: peakSamples };
        parts.push(
          `## In Chromium ${browser.version} (headless, ` +
            `${env.crossOriginIsolated ? "cross-origin isolated" : "NOT cross-origin isolated"}, ${env.cores} cores, ` +
            `relaxed SIMD ${env.relaxedSimd ? "yes" : "no"})`,
          "Every contender runs in one dedicated Worker of one page (a Worker may block in Atomics.wait, which " +
            "gradfold's caller does while its pool finishes; see @gradfold/codegen/browser), bundled by esbuild for the " +
            "browser and served from loopback with COOP/COEP. tfjs-wasm loads its threaded SIMD build on such a page, as " +
            "it would for its users (its XNNPACK thread count is in the notes); jax-js runs its Wasm backend. Chromium has " +
            "no process CPU clock, so there is no CPU table.",
          stepReport(browserResults, lossSteps, " — Chromium"),
          stepRooflineReport(browserResults, roofs, "gradfold", " — Chromium"),
          `Chromium's Wasm SIMD mul+add peak, for comparison: one thread ${peaks.simd.toFixed(1)} GFLOP/s, ` +
            `${peaks.threads} threads ${peaks.simdThreads?.toFixed(1) ?? "—"} GFLOP/s.`,
        );
      }
    }
  } finally {
    await browser?.close();
  }

  if (sections.has("compile")) parts.push(await compileTimeReport(log));
  if (sections.has("roofline")) parts.push(await rooflineReport(log));

  const report = `${parts.join("\n\n")}\n`;
  // The table goes out last and on its own, after any banner peers printed while loading.
  process.stdout.write(`\n${report}`);
  if (values.out) writeFileSync(values.out, report);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

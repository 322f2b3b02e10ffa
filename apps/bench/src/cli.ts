import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { describeConfig, standardConfigs } from "./configs.ts";
import { contenders, defaultContenders } from "./contenders/index.ts";
import { compileTimeReport } from "./compile-time.ts";
import { makeProblem } from "./problem.ts";
import { type ConfigRun, stepReport } from "./report.ts";
import { rooflineReport } from "./roofline.ts";
import { runConfig } from "./run-config.ts";

const usage = `Usage: pnpm bench [-- options]

Runs gradfold and its peers on the same MLP training steps in one process and
prints markdown tables at the end (progress goes to stderr).

  --configs a,b        configs to run (default: all): ${standardConfigs.map((c) => c.id).join(", ")}
  --contenders a,b     contenders, the first is the ratio baseline (default: ${defaultContenders.join(",")});
                       also: ${Object.keys(contenders).filter((c) => !(defaultContenders as readonly string[]).includes(c)).join(", ")}
  --steps N            timed steps per contender and config (default 30)
  --warmup N           untimed steps first, the first reported apart (default 5)
  --budget S           seconds of timed steps per contender and config; slow ones
                       take fewer steps, at least 3 (default 10)
  --loss-steps N       first-step losses compared across contenders (default 3)
  --skip id:config     skip one contender on one config (repeatable), e.g. tfjs-cpu:wide-b256-adam
  --sections a,b       steps, compile, roofline (default: all)
  --seed N             data and init seed (default 1234)
  --gc                 full garbage collection (untimed) before every timed step
  --out FILE           also write the tables to FILE
  --help
`;

function list(value: string | undefined, all: readonly string[]): string[] {
  if (value === undefined) return [...all];
  return value.split(",").map((s) => s.trim()).filter(Boolean);
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
      sections: { type: "string", default: "steps,compile,roofline" },
      seed: { type: "string", default: "1234" },
      gc: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const configIds = list(values.configs, standardConfigs.map((c) => c.id));
  const configs = configIds.map((id) => {
    const c = standardConfigs.find((s) => s.id === id);
    if (!c) throw new Error(`unknown config ${JSON.stringify(id)}; expected one of ${standardConfigs.map((s) => s.id).join(", ")}`);
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

  const parts: string[] = [
    `## gradfold bench — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}`,
    `Command: \`pnpm bench ${args.join(" ")}\` (seed ${seed}${values.gc ? ", full GC before each timed step" : ""}; one process; peers single-threaded; timings from a shared machine — read the ratios).`,
  ];

  if (sections.has("steps")) {
    const results: ConfigRun[] = [];
    for (const config of configs) {
      log(`${config.id}: ${describeConfig(config)}`);
      const problem = makeProblem(config, seed);
      const picked = contenderIds.filter((id) => !skips.has(`${id}:${config.id}`)).map((id) => contenders[id]());
      const runs = await runConfig(problem, picked, { warmup, steps, budgetMs, lossSteps, gcBetweenSteps: values.gc, log });
      // Skipped contenders keep their column, marked as such.
      const all = contenderIds.map(
        (id) =>
          runs.find((r) => r.id === id) ?? {
            id,
            label: contenders[id]().label,
            error: "skipped (--skip)",
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
      results.push({ config, runs: all });
    }
    parts.push(stepReport(results, lossSteps));
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

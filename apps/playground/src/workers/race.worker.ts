/// <reference lib="webworker" />
import { compile } from "@gradfold/codegen";
import { evaluate, input, param } from "@gradfold/graph";
import { optimizerFactories, type OptimizerName, type OptimizerSettings } from "../models/optimizers.ts";
import { surfaces, type SurfaceName } from "../models/surfaces.ts";
import { errorMessage, runs, stamp, yieldToMessages } from "./protocol.ts";

export interface RaceEntry {
  readonly optimizer: OptimizerName;
  readonly settings: OptimizerSettings;
}

export type RaceRequest = { type: "race"; surface: SurfaceName; entries: readonly RaceEntry[]; steps: number; grid: number; run?: number } | { type: "stop" };

export type RaceReply =
  | { type: "surface"; surface: SurfaceName; grid: number; values: Float64Array }
  /** Trajectories so far: x0, y0, x1, y1, … per optimizer, and its loss at the last point. */
  | { type: "paths"; step: number; paths: Record<string, { xy: Float32Array; loss: number }>; done: boolean }
  | { type: "error"; message: string };

const post = (reply: RaceReply, run?: number) => postMessage(stamp(run, reply));
const racing = runs();

/** f on a grid×grid lattice over the plot window, by the reference interpreter (row-major, y down). */
function surfaceValues(name: SurfaceName, grid: number): Float64Array {
  const s = surfaces[name];
  const [x0, x1, y0, y1] = s.box;
  const xs = new Float32Array(grid * grid);
  const ys = new Float32Array(grid * grid);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      xs[r * grid + c] = x0 + ((x1 - x0) * c) / (grid - 1);
      ys[r * grid + c] = y1 - ((y1 - y0) * r) / (grid - 1);
    }
  }
  const X = input("X", [grid * grid]);
  const Y = input("Y", [grid * grid]);
  return evaluate(s.f(X, Y), { X: xs, Y: ys });
}

async function race(name: SurfaceName, entries: readonly RaceEntry[], steps: number, grid: number, run?: number) {
  const token = racing.begin();
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`race: steps must be a positive integer, got ${steps}`);
  post({ type: "surface", surface: name, grid, values: surfaceValues(name, grid) }, run);
  const s = surfaces[name];
  const runners = entries.map(({ optimizer, settings }) => {
    const x = param("x", [], { init: s.start[0] });
    const y = param("y", [], { init: s.start[1] });
    const loss = s.f(x, y);
    const step = compile({ inputs: [], outputs: { loss }, updates: optimizerFactories[optimizer](settings).updates(loss, [x, y]) });
    const xy = new Float32Array(2 * (steps + 1));
    xy[0] = s.start[0];
    xy[1] = s.start[1];
    return { optimizer, step, xy, loss: Number.NaN };
  });
  const chunk = Math.max(1, Math.round(steps / 40));
  for (let i = 1; i <= steps; i++) {
    for (const r of runners) {
      r.loss = r.step.run({}).loss[0];
      r.xy[2 * i] = r.step.read("x")[0];
      r.xy[2 * i + 1] = r.step.read("y")[0];
    }
    if (i % chunk === 0 || i === steps) {
      const paths = Object.fromEntries(runners.map((r) => [r.optimizer, { xy: r.xy.slice(0, 2 * (i + 1)), loss: r.loss }]));
      post({ type: "paths", step: i, paths, done: i === steps }, run);
      await yieldToMessages();
      if (!token.live) return;
    }
  }
}

addEventListener("message", (event: MessageEvent<RaceRequest>) => {
  const request = event.data;
  if (request.type === "stop") racing.stop();
  else race(request.surface, request.entries, request.steps, request.grid, request.run).catch((e) => post(errorMessage(e), request.run));
});

import { optimizerNames, type OptimizerName } from "../models/optimizers.ts";
import { surfaces, type SurfaceName } from "../models/surfaces.ts";
import { contourPlot } from "../ui/contour.ts";
import { palette } from "../ui/chart.ts";
import { button, checkbox, choice, el, explain, fmt, numberField, statusLine } from "../ui/dom.ts";
import type { RaceReply, RaceRequest } from "../workers/race.worker.ts";
import { wire, type View } from "./view.ts";

const colorOf = (name: OptimizerName) => palette[optimizerNames.indexOf(name)];

export const raceView: View = {
  id: "race",
  title: "Optimizers race",
  mount(root) {
    let surfaceName: SurfaceName = "quadratic";
    const status = statusLine("race-status");
    const note = el("p", { class: "explain" });
    const plot = contourPlot(560, 400, "race-plot");
    const results = el("tbody");
    const momentum = numberField("momentum μ", 0.9, { min: 0, max: 0.999, id: "mu" });
    const beta1 = numberField("β₁", 0.9, { min: 0, max: 0.999, id: "beta1" });
    const beta2 = numberField("β₂", 0.999, { min: 0, max: 0.99999, id: "beta2" });
    const alpha = numberField("RMSProp α", 0.99, { min: 0, max: 0.9999, id: "alpha" });
    const steps = numberField("steps", surfaces.quadratic.steps, { min: 1, max: 20_000, step: 1, id: "race-steps" });
    const rows = optimizerNames.map((name) => {
      const on = checkbox("", true, `race-on-${name}`);
      const lr = numberField("", surfaces.quadratic.lr[name], { min: 0, id: `race-lr-${name}` });
      const final = el("td", { class: "num" });
      const distance = el("td", { class: "num", "data-optimizer": name });
      results.append(el("tr", {}, [el("td", {}, [on.root]), el("td", { style: `color:${colorOf(name)};font-weight:600` }, [name]), el("td", {}, [lr.root]), final, distance]));
      return { name, on, lr, final, distance };
    });
    const surface = choice("surface", Object.keys(surfaces) as SurfaceName[], surfaceName, (name) => {
      surfaceName = name;
      for (const r of rows) (r.lr.root.querySelector("input") as HTMLInputElement).value = String(surfaces[name].lr[r.name]);
      (steps.root.querySelector("input") as HTMLInputElement).value = String(surfaces[name].steps);
      start();
    });

    const worker = wire<RaceRequest, RaceReply>(
      new Worker(new URL("../workers/race.worker.ts", import.meta.url), { type: "module" }),
      (reply) => {
        const s = surfaces[surfaceName];
        if (reply.type === "surface") plot.setSurface(reply.values, reply.grid, surfaces[reply.surface].box);
        else if (reply.type === "paths") {
          const paths = Object.entries(reply.paths).map(([name, p]) => ({ name, color: colorOf(name as OptimizerName), xy: p.xy }));
          plot.draw(paths, s.minimum);
          for (const r of rows) {
            const p = reply.paths[r.name];
            if (!p) continue;
            const [x, y] = [p.xy[p.xy.length - 2], p.xy[p.xy.length - 1]];
            const d = Math.hypot(x - s.minimum[0], y - s.minimum[1]);
            r.final.textContent = `(${fmt(x)}, ${fmt(y)})`;
            r.distance.textContent = fmt(d);
            r.distance.dataset.distance = String(d);
          }
          if (reply.done) status.done(`step ${reply.step} — finished`);
          else status.set(`step ${reply.step}`);
        }
      },
      (message) => status.fail(message),
    );

    function start() {
      try {
        note.textContent = surfaces[surfaceName].note;
        status.begin("compiling…");
        for (const r of rows) r.final.textContent = r.distance.textContent = "";
        const settings = { momentum: momentum.get(), beta1: beta1.get(), beta2: beta2.get(), alpha: alpha.get() };
        const entries = rows.filter((r) => r.on.get()).map((r) => ({ optimizer: r.name, settings: { ...settings, lr: r.lr.get() } }));
        worker.start({ type: "race", surface: surfaceName, entries, steps: steps.get(), grid: 120 });
      } catch (e) {
        status.fail(e);
      }
    }

    root.append(
      explain(
        "Seven optimizers from @gradfold/optimizers start from the same point on a 2-D surface, each a compiled " +
          "gradfold step whose two params are the coordinates (★ marks the minimum). Plain SGD must keep its step small " +
          "enough for the steepest direction, momentum builds speed along shallow valleys, and AdaGrad, RMSProp and Adam " +
          "rescale each coordinate by its gradient history. Lion steps by the sign of its momentum only.",
      ),
      el("div", { class: "controls" }, [surface.root, steps.root, momentum.root, beta1.root, beta2.root, alpha.root, button("Race", start, "race")]),
      note,
      status.root,
      el("div", { class: "row" }, [
        plot.root,
        el("table", {}, [
          el("thead", {}, [
            el(
              "tr",
              {},
              ["", "optimizer", "learning rate", "final (x, y)", "distance to ★"].map((h) => el("th", {}, [h])),
            ),
          ]),
          results,
        ]),
      ]),
    );
    start();
    return () => worker.terminate();
  },
};

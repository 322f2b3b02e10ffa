import type { ActivationChoice, InitChoice } from "../models/network.ts";
import { lineChart, palette } from "../ui/chart.ts";
import { button, checkbox, choice, el, explain, fmt, numberField, statusLine } from "../ui/dom.ts";
import type { DepthReply, DepthRequest, DepthSettings } from "../workers/gradients.worker.ts";
import { wire, type View } from "./view.ts";

export const gradientsView: View = {
  id: "gradients",
  title: "Vanishing & exploding gradients",
  mount(root) {
    const depth = numberField("depth", 20, { min: 1, max: 64, step: 1, id: "depth" });
    const width = choice("width", ["8", "16", "32"], "16");
    const activation = choice<ActivationChoice>("activation", ["sigmoid", "tanh", "relu"], "sigmoid");
    const residual = checkbox("residual connections", false, "residual");
    const init = choice<InitChoice>("initialisation", ["glorot", "he", "small", "large"], "glorot", undefined, "init");
    const lr = numberField("Adam learning rate", 0.01, { min: 0, max: 1, id: "depth-lr" });
    const steps = numberField("steps", 300, { min: 1, max: 10_000, step: 1, id: "depth-steps" });
    const status = statusLine("gradients-status");
    const firstLayer = el("output", { "data-testid": "first-layer-norm" }, ["–"]);
    const byLayer = lineChart({ title: "‖∂J/∂W‖ per layer", xLabel: "layer", logY: true, width: 460 }, "norms-by-layer");
    const overTime = lineChart({ title: "‖∂J/∂W‖ while training", xLabel: "step", logY: true, width: 460 }, "norms-over-time");
    const lossChart = lineChart({ title: "training loss", xLabel: "step", width: 460 }, "depth-loss");
    let initial: Float64Array | undefined;
    // The last finished run's step-1 norms, drawn beside the current run's for comparison.
    let previous: { label: string; norms: Float64Array } | undefined;
    let label = "";
    const history: { step: number; loss: number; norms: Float64Array }[] = [];

    const draw = () => {
      const last = history[history.length - 1];
      if (!last || !initial) return;
      const layers = (norms: Float64Array) => Array.from(norms, (v, i) => [i + 1, v] as [number, number]);
      byLayer.draw([
        { name: `step 1${label ? `, ${label}` : ""}`, color: palette[1], points: layers(initial), dashed: true },
        { name: `step ${last.step}`, color: palette[0], points: layers(last.norms) },
        ...(previous ? [{ name: `step 1, ${previous.label}`, color: "#999", points: layers(previous.norms), dashed: true }] : []),
      ]);
      const n = last.norms.length;
      const picks = [...new Set([0, Math.floor((n - 1) / 2), n - 1])];
      overTime.draw(picks.map((l, i) => ({ name: `layer ${l + 1}`, color: palette[i + 2], points: history.map((h) => [h.step, h.norms[l]] as [number, number]) })));
      lossChart.draw([{ name: "loss", color: palette[0], points: history.map((h) => [h.step, h.loss] as [number, number]) }]);
    };

    const worker = wire<DepthRequest, DepthReply>(
      new Worker(new URL("../workers/gradients.worker.ts", import.meta.url), { type: "module" }),
      (reply) => {
        if (reply.step === 1) initial = reply.norms;
        history.push(reply);
        const first = reply.norms[0];
        const last = reply.norms[reply.norms.length - 1];
        firstLayer.textContent = `first layer ${fmt(initial![0])} at step 1, ${fmt(first)} now; output layer ${fmt(last)} now`;
        firstLayer.dataset.initial = String(initial![0]);
        firstLayer.dataset.current = String(first);
        const text = `step ${reply.step}: loss ${fmt(reply.loss)}`;
        if (reply.done) status.done(`${text} — finished`);
        else status.set(text);
        draw();
      },
      (message) => status.fail(message),
    );
    const start = () => {
      try {
        const settings: DepthSettings = {
          depth: depth.get(),
          width: Number(width.get()),
          activation: activation.get(),
          residual: residual.get(),
          init: init.get(),
          lr: lr.get(),
          steps: steps.get(),
        };
        if (initial) previous = { label, norms: initial };
        label = `${settings.activation}${settings.residual ? " + residual" : ""}`;
        initial = undefined;
        history.length = 0;
        status.begin("compiling…");
        worker.start({ type: "train", settings });
      } catch (e) {
        status.fail(e);
      }
    };

    root.append(
      explain(
        "Backpropagation multiplies one Jacobian per layer, so the gradient reaching the first layer of a deep stack " +
          "is a long product: sigmoid units (σ′ ≤ ¼) shrink it layer after layer and large initial weights can blow it " +
          "up. ReLU units, a variance-preserving initialisation (He for ReLU, Glorot for tanh) and residual connections " +
          "h + f(h), whose identity path carries the gradient past every layer, keep it alive. The plots show each " +
          "layer's weight-gradient norm, on a log scale, as gradfold computes it inside the training step of a network " +
          "classifying two circles.",
      ),
      el("div", { class: "controls" }, [
        depth.root,
        width.root,
        activation.root,
        residual.root,
        init.root,
        lr.root,
        steps.root,
        button("Train", start, "train-depth"),
        button(
          "Stop",
          () => {
            worker.stop({ type: "stop" });
            status.done(`${status.root.textContent} — stopped`);
          },
          "stop-depth",
        ),
      ]),
      status.root,
      el("p", {}, [firstLayer]),
      el("div", { class: "row" }, [byLayer.root, overTime.root, lossChart.root]),
    );
    start();
    return () => worker.terminate();
  },
};

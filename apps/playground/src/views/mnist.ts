import type { MnistReply, MnistRequest } from "../workers/mnist.worker.ts";
import { mnistModels, type MnistModelName, type MnistSettings } from "../models/mnist-model.ts";
import { optimizerNames, type ScheduleName } from "../models/optimizers.ts";
import { shared } from "../state.ts";
import { threadPlan, type ThreadPlan } from "../workers/thread-plan.ts";
import { lineChart, palette } from "../ui/chart.ts";
import { digitPad } from "../ui/digit-pad.ts";
import { button, choice, el, explain, fmt, numberField, statusLine } from "../ui/dom.ts";
import { wire, type View } from "./view.ts";

const dataUrl = () => new URL(`${import.meta.env.BASE_URL}mnist-subset.bin.gz`, location.href).href;

export const mnistView: View = {
  id: "mnist",
  title: "Train MNIST",
  mount(root) {
    const s = shared.mnist;
    const model = choice("model", Object.keys(mnistModels) as MnistModelName[], s.model);
    const optimizer = choice("optimizer", optimizerNames, s.optimizer);
    const lr = numberField("learning rate", s.lr, { min: 1e-6, max: 10, id: "lr" });
    const schedule = choice<ScheduleName>("schedule", ["constant", "cosine", "step"], s.schedule);
    const batch = choice("batch size", ["16", "32", "64", "128", "256"], String(s.batch));
    const steps = numberField("steps", s.steps, { min: 10, max: 100_000, step: 10 });
    const status = statusLine("mnist-status");
    const speed = el("output", { "data-testid": "examples-per-second" }, ["–"]);
    const valAccuracy = el("output", { "data-testid": "val-accuracy" }, ["–"]);
    const threads = el("output", { "data-testid": "mnist-threads" });
    // What the next run will use until the worker reports what it did use.
    const showThreads = (plan: ThreadPlan) => {
      threads.textContent = plan.text;
      threads.dataset.threads = String(plan.threads);
      threads.classList.toggle("warn", plan.threads === 1);
    };
    showThreads(threadPlan(crossOriginIsolated, navigator.hardwareConcurrency));
    const lossChart = lineChart({ title: "loss", xLabel: "step", logY: true }, "mnist-loss");
    const accChart = lineChart({ title: "accuracy", xLabel: "step", yMin: 0, yMax: 1 }, "mnist-accuracy");
    const probabilities = el("div", { class: "bars", "data-testid": "probabilities" });
    const predicted = el("output", { "data-testid": "predicted-digit" }, ["draw a digit after training"]);
    const curves = { trainLoss: [] as [number, number][], valLoss: [] as [number, number][], trainAcc: [] as [number, number][], valAcc: [] as [number, number][] };
    let trained = false;

    const redraw = () => {
      lossChart.draw([
        { name: "train", color: palette[0], points: curves.trainLoss },
        { name: "validation", color: palette[1], points: curves.valLoss },
      ]);
      accChart.draw([
        { name: "train", color: palette[0], points: curves.trainAcc },
        { name: "validation", color: palette[1], points: curves.valAcc },
      ]);
    };
    const showProbabilities = (p: Float32Array) => {
      const best = p.indexOf(Math.max(...p));
      probabilities.replaceChildren(
        ...Array.from(p, (v, digit) =>
          el("div", { class: digit === best ? "bar best" : "bar", "data-probability": v.toFixed(4) }, [
            el("span", {}, [String(digit)]),
            el("i", { style: `width:${(v * 100).toFixed(1)}%` }),
            el("small", {}, [`${(v * 100).toFixed(1)}%`]),
          ]),
        ),
      );
      predicted.textContent = `prediction: ${best}`;
      predicted.dataset.digit = String(best);
    };

    const worker = wire<MnistRequest, MnistReply>(
      new Worker(new URL("../workers/mnist.worker.ts", import.meta.url), { type: "module" }),
      (reply) => {
        if (reply.type === "status") status.set(reply.text);
        else if (reply.type === "threads") showThreads(reply);
        else if (reply.type === "progress") {
          curves.trainLoss.push([reply.step, reply.loss]);
          curves.trainAcc.push([reply.step, reply.accuracy]);
          speed.textContent = `${Math.round(reply.examplesPerSecond).toLocaleString("en")} examples/s`;
          status.set(`step ${reply.step}: training loss ${fmt(reply.loss)}`);
          redraw();
        } else if (reply.type === "validation") {
          curves.valLoss.push([reply.step, reply.loss]);
          curves.valAcc.push([reply.step, reply.accuracy]);
          valAccuracy.textContent = reply.accuracy.toFixed(4);
          // Full precision, so a test can compare runs on different thread counts bit for bit.
          valAccuracy.dataset.loss = String(reply.loss);
          redraw();
        } else if (reply.type === "done") {
          trained = true;
          status.done(`${reply.stopped ? "stopped after" : "done:"} ${reply.step} steps, validation accuracy ${valAccuracy.textContent}. Draw a digit below.`);
        } else if (reply.type === "prediction") showProbabilities(reply.probabilities);
      },
      (message) => status.fail(message),
    );
    const send = (request: MnistRequest) => worker.send(request);

    const start = () => {
      try {
        const settings: MnistSettings = { model: model.get(), optimizer: optimizer.get(), lr: lr.get(), schedule: schedule.get(), batch: Number(batch.get()), steps: steps.get() };
        shared.mnist = settings;
        for (const c of Object.values(curves)) c.length = 0;
        trained = false;
        status.begin("starting…");
        valAccuracy.textContent = "–";
        delete valAccuracy.dataset.loss;
        redraw();
        worker.start({ type: "train", settings, dataUrl: dataUrl() });
      } catch (e) {
        status.fail(e);
      }
    };
    const pad = digitPad(() => {
      const image = pad.image();
      if (!image) return;
      if (!trained) predicted.textContent = "train a model first";
      else send({ type: "predict", image });
    });

    root.append(
      explain(
        "A multilayer perceptron learns to read handwritten digits, right here in a Web Worker: each step is a " +
          "gradfold graph (forward, backward by symbolic differentiation, optimizer update) compiled to JavaScript and " +
          "Wasm kernels. Training loss is averaged over the last ten batches; validation loss and accuracy are measured " +
          "on 2,000 held-out test images.",
      ),
      el("div", { class: "controls" }, [
        model.root,
        optimizer.root,
        lr.root,
        schedule.root,
        batch.root,
        steps.root,
        button("Train", start, "train"),
        button("Stop", () => send({ type: "stop" }), "stop"),
      ]),
      status.root,
      el("p", {}, ["speed: ", speed, " · ", threads, " · validation accuracy: ", valAccuracy]),
      el("div", { class: "row" }, [lossChart.root, accChart.root]),
      el("h3", {}, ["Draw a digit"]),
      el("p", { class: "explain" }, [
        "Draw with the mouse or a finger; the stroke is scaled into a 20×20 box of a 28×28 image as MNIST's digits " +
          "are, and the trained network's softmax gives each class's probability.",
      ]),
      el("div", { class: "row" }, [el("div", {}, [pad.root, el("br"), button("Clear", () => pad.clear(), "clear-pad")]), el("div", {}, [predicted, probabilities])]),
    );
    return () => worker.terminate();
  },
};

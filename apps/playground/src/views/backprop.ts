import { mulberry32, type AnyTensor } from "@gradfold/graph";
import { backpropGraph, nodeLabel, type BackpropGraph } from "../models/backprop.ts";
import { button, el, explain, numberField, statusLine } from "../ui/dom.ts";
import type { View } from "./view.ts";

const svgNs = "http://www.w3.org/2000/svg";
const svg = (tag: string, attrs: Record<string, string | number>, text?: string) => {
  const node = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};
const vec = (v: Float64Array | undefined, digits = 3) => (v ? `[${Array.from(v, (x) => x.toFixed(digits)).join(digits < 3 ? "," : ", ")}]` : "");
const columnWidth = 136;
const boxWidth = 128;

function randomWeights(seed: number) {
  const random = mulberry32(seed);
  const draw = (n: number) => Array.from({ length: n }, () => Math.round((random() * 2 - 1) * 100) / 100);
  return { W1: draw(4), b1: draw(2), W2: draw(2), b2: draw(1) };
}

export const backpropView: View = {
  id: "backprop",
  title: "Backprop step by step",
  mount(root) {
    const x1 = numberField("x₁", 1, { id: "x1" });
    const x2 = numberField("x₂", -0.5, { id: "x2" });
    const target = numberField("target y", 1, { id: "target" });
    const status = statusLine("backprop-status");
    const picture = svg("svg", { class: "graph", width: 1040, height: 300, "data-testid": "backprop-graph" }) as SVGSVGElement;
    const steps = el("ol", { "data-testid": "backward-steps" });
    let seed = 1;
    let graph: BackpropGraph | undefined;
    let revealed = 0;

    function draw() {
      if (!graph) return;
      const g = graph;
      const columns = Math.max(...g.nodes.map((n) => n.level)) + 1;
      const rows = new Map<number, number>();
      const at = new Map<AnyTensor, [number, number]>();
      for (const n of g.nodes) {
        const row = rows.get(n.level) ?? 0;
        rows.set(n.level, row + 1);
        at.set(n.node, [10 + n.level * columnWidth, 10 + row * 76]);
      }
      picture.setAttribute("width", String(20 + columns * columnWidth));
      picture.setAttribute("height", String(20 + Math.max(...rows.values()) * 76));
      const shown = new Set(g.backwardOrder.slice(0, revealed));
      const current = revealed > 0 ? g.backwardOrder[revealed - 1] : undefined;
      picture.replaceChildren();
      for (const n of g.nodes) {
        for (const i of n.node.inputs) {
          const [ax, ay] = at.get(i)!;
          const [bx, by] = at.get(n.node)!;
          picture.append(svg("line", { x1: ax + boxWidth, y1: ay + 20, x2: bx, y2: by + 20, stroke: shown.has(n.node) && shown.has(i) ? "#c33" : "#aaa", "stroke-width": 1.2 }));
        }
      }
      for (const n of g.nodes) {
        const [x, y] = at.get(n.node)!;
        const leaf = n.node.is("param") || n.node.is("input");
        picture.append(
          svg("rect", { x, y, width: boxWidth, height: 62, rx: 6, fill: n.node === current ? "#fde2e2" : leaf ? "#e8f0f8" : "#fff", stroke: n.node === current ? "#c33" : "#789" }),
          svg("text", { x: x + 6, y: y + 15, "font-weight": 700 }, n.label),
          svg("text", { x: x + 6, y: y + 32, fill: "#245" }, vec(n.value, 2)),
        );
        if (shown.has(n.node)) picture.append(svg("text", { x: x + 6, y: y + 50, fill: "#c33" }, `∂ ${vec(n.gradient, 2)}`));
      }
      steps.replaceChildren(
        ...g.backwardOrder.slice(0, revealed).map((t) => {
          const n = g.nodes.find((m) => m.node === t)!;
          const from = n.consumers.length === 0 ? "the seed ∂L/∂L = 1" : n.consumers.map((c) => `∂L/∂${nodeLabel(c)} through ${c.op}'s chain rule`).join(" + ");
          const reuse = n.reusedBy.length > 1 ? ` — computed once, reused for the gradients of ${n.reusedBy.map(nodeLabel).join(" and ")}` : "";
          return el("li", {}, [el("b", {}, [`∂L/∂${n.label} = ${vec(n.gradient)}`]), ` from ${from}${reuse}`]);
        }),
      );
      status.set(`${revealed} of ${g.backwardOrder.length} gradients computed`);
      status.root.dataset.revealed = String(revealed);
    }

    function forward() {
      try {
        graph = backpropGraph([x1.get(), x2.get()], target.get(), randomWeights(seed));
        revealed = 0;
        draw();
        const loss = graph.nodes[graph.nodes.length - 1];
        status.set(
          `forward pass: loss ${loss.value[0].toFixed(4)}. All four params' gradients from one grad() call need ` +
            `${graph.backwardNodesShared} backward nodes; one call per param would build ${graph.backwardNodesSeparate}.`,
        );
      } catch (e) {
        status.fail(e);
      }
    }
    const step = () => {
      if (!graph) forward();
      revealed = Math.min(revealed + 1, graph!.backwardOrder.length);
      draw();
    };
    const all = () => {
      if (!graph) forward();
      revealed = graph!.backwardOrder.length;
      draw();
    };

    root.append(
      explain(
        "Backpropagation is the chain rule applied from the loss back to the weights: each node's gradient ∂L/∂node is " +
          "the sum, over the nodes that use it, of their gradient pushed back through their local derivative. Here a " +
          "2-2-1 network's loss (sigmoid hidden layer, squared error) is a gradfold graph, with forward values from " +
          "evaluate() in blue and the gradients grad() builds in red, revealed in the order the backward pass computes " +
          "them. Each gradient is computed once and reused by every input below it, which is why a backward pass costs " +
          "about as much as a forward pass.",
      ),
      el("div", { class: "controls" }, [
        x1.root,
        x2.root,
        target.root,
        button("Forward", forward, "forward"),
        button("Backward step", step, "backward-step"),
        button("Backward all", all, "backward-all"),
        button(
          "New weights",
          () => {
            seed++;
            forward();
          },
          "new-weights",
        ),
      ]),
      status.root,
      picture,
      steps,
    );
    forward();
    return () => {};
  },
};

import { shared } from "../state.ts";
import { choice, el, explain, statusLine } from "../ui/dom.ts";
import type { KernelsReply, KernelsRequest } from "../workers/kernels.worker.ts";
import { wire, type View } from "./view.ts";

export const kernelsView: View = {
  id: "kernels",
  title: "Under the hood",
  mount(root) {
    const status = statusLine("kernels-status");
    const summary = el("pre", { "data-testid": "explain-text" });
    const rules = el("tbody", { "data-testid": "rules" });
    const kernelList = el("select", { size: 12, "data-testid": "kernel-list", style: "min-width: 260px" });
    const source = el("pre", { "data-testid": "kernel-source", style: "max-width: 760px" });
    let kernels: Extract<KernelsReply, { type: "report" }>["kernels"] = [];

    const showKernel = () => {
      const k = kernels[kernelList.selectedIndex];
      source.textContent = k ? `// fuses: ${k.fuses.join(", ")}\n${k.source}` : "";
    };
    kernelList.addEventListener("change", showKernel);

    const worker = wire<KernelsRequest, KernelsReply>(
      new Worker(new URL("../workers/kernels.worker.ts", import.meta.url), { type: "module" }),
      (reply) => {
        summary.textContent = reply.text;
        rules.replaceChildren(
          ...Object.entries(reply.ruleCounts)
            .sort((a, b) => b[1] - a[1])
            .map(([rule, count]) => el("tr", {}, [el("td", { class: "num" }, [String(count)]), el("td", {}, [rule])])),
        );
        kernels = reply.kernels;
        kernelList.replaceChildren(...kernels.map((k, i) => el("option", { value: i, selected: i === 0 }, [`${k.name} (${k.fuses.length} nodes)`])));
        showKernel();
        const s = reply.stats;
        status.done(
          `${s.kernels} kernels (${s.wasmKernels} Wasm SIMD) from ${s.groups} fused groups; one arena of ${(s.arenaBytes / 1024).toFixed(0)} KiB holds params, optimizer state and work buffers`,
        );
      },
      (message) => status.fail(message),
    );
    const inspect = (which: "train" | "predict") => {
      status.begin("optimizing and compiling…");
      worker.start({ type: "inspect", settings: shared.mnist, which });
    };
    const which = choice<"train" | "predict">("step", ["train", "predict"], "train", inspect, "which-step");

    const m = shared.mnist;
    root.append(
      explain(
        `What gradfold does with the MNIST view's current model (${m.model}, ${m.optimizer}, batch ${m.batch}): ` +
          `@gradfold/optimize rewrites the training step's graph by named rules (simplify, stabilize, CSE, …) and fuses ` +
          `it into kernel groups with one memory plan; @gradfold/codegen then renders each group as a specialised ` +
          `JavaScript or Wasm SIMD kernel. Below: explain()'s report, the rules that fired, and every generated kernel's ` +
          `source.`,
      ),
      el("div", { class: "controls" }, [which.root]),
      status.root,
      el("div", { class: "row" }, [summary, el("table", {}, [el("thead", {}, [el("tr", {}, [el("th", {}, ["fired"]), el("th", {}, ["rule"])])]), rules])]),
      el("h3", {}, ["Generated kernels"]),
      el("div", { class: "row" }, [kernelList, source]),
    );
    inspect("train");
    return () => worker.terminate();
  },
};

import { el } from "./ui/dom.ts";
import { backpropView } from "./views/backprop.ts";
import { gradientsView } from "./views/gradients.ts";
import { kernelsView } from "./views/kernels.ts";
import { mnistView } from "./views/mnist.ts";
import { raceView } from "./views/race.ts";
import { regionsView } from "./views/regions.ts";
import type { View } from "./views/view.ts";

const views: readonly View[] = [mnistView, backpropView, raceView, gradientsView, regionsView, kernelsView];

const isolation = document.getElementById("isolation")!;
if (globalThis.crossOriginIsolated) {
  isolation.textContent =
    `Cross-origin isolated: SharedArrayBuffer is available (${navigator.hardwareConcurrency} cores); each view ` +
    `trains in its own Web Worker beside the page, and MNIST splits its steps across the cores (up to 4 threads).`;
} else {
  isolation.classList.add("warn");
  isolation.textContent =
    "Not cross-origin isolated (the server sent no COOP/COEP headers): SharedArrayBuffer is off, so training, " +
    "MNIST's included, uses one core in its Web Worker. Serve with `pnpm playground` or a server that sends them.";
}

const nav = document.getElementById("nav")!;
const main = document.getElementById("view")!;
let unmount: (() => void) | undefined;

function show() {
  const id = location.hash.slice(1);
  const view = views.find((v) => v.id === id) ?? views[0];
  unmount?.();
  main.replaceChildren();
  for (const link of nav.children) link.classList.toggle("active", (link as HTMLElement).dataset.view === view.id);
  const root = el("section", { "data-testid": `view-${view.id}` }, [el("h2", {}, [view.title])]);
  main.append(root);
  unmount = view.mount(root);
}

nav.append(...views.map((v) => el("a", { href: `#${v.id}`, "data-view": v.id }, [v.title])));
addEventListener("hashchange", show);
show();

/**
 * The bench page and its Worker, as served (serve.ts). The page starts one module
 * Worker that imports the bench bundle and answers requests; `window.bench(request)`
 * is how the Node side (chromium.ts) talks to it, and `window.benchOnPage(request)` runs a
 * request on the page's own thread (the main-thread pool check). Progress lines go to
 * the console, which the Node side forwards to stderr.
 */
export const pageHtml = `<!doctype html>
<meta charset="utf-8">
<title>gradfold bench</title>
<script type="module">
import { handle } from "/bench.js";
const worker = new Worker("/worker.js", { type: "module", name: "gradfold bench" });
const pending = new Map();
let next = 0;
worker.onmessage = ({ data }) => {
  if (data.log !== undefined) return console.log(data.log);
  const call = pending.get(data.id);
  pending.delete(data.id);
  if (data.error !== undefined) call.reject(new Error(data.error));
  else call.resolve(data.result);
};
// A Worker that dies (an uncaught error, out of memory) answers nothing: fail what waits on it.
worker.onerror = (event) => {
  console.error("bench worker: " + event.message);
  for (const call of pending.values()) call.reject(new Error("bench worker: " + event.message));
  pending.clear();
};
window.bench = (request) => new Promise((resolve, reject) => {
  const id = next++;
  pending.set(id, { resolve, reject });
  worker.postMessage({ id, request });
});
window.benchOnPage = (request) => handle(request, (line) => console.log(line));
window.benchReady = true;
</script>
`;

/** The Worker: every request in turn, answered by id; errors travel as their message. */
export const workerJs = `import { handle } from "/bench.js";
let queue = Promise.resolve();
self.onmessage = ({ data: { id, request } }) => {
  queue = queue.then(async () => {
    try {
      self.postMessage({ id, result: await handle(request, (line) => self.postMessage({ log: line })) });
    } catch (error) {
      self.postMessage({ id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
};
`;

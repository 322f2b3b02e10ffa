/** A page of the playground: `mount` fills the element and returns how to tear it down (stop workers). */
export interface View {
  readonly id: string;
  readonly title: string;
  mount(root: HTMLElement): () => void;
}

/**
 * Talking to a view's worker: `start` begins a new run (replies of older runs are
 * dropped), `stop` ends it and drops its replies still on the way, `send` anything else.
 */
export interface Channel<Request> {
  start(request: Request): void;
  stop(request: Request): void;
  send(request: Request): void;
  terminate(): void;
}

/**
 * Wires a view's module worker; errors in it reach `onError` instead of vanishing.
 * (Each view writes `new Worker(new URL("…", import.meta.url), { type: "module" })`
 * itself: that literal form is what Vite bundles as a worker.)
 */
export function wire<Request extends object, Reply extends { type: string }>(
  worker: Worker,
  onReply: (reply: Exclude<Reply, { type: "error" }>) => void,
  onError: (message: string) => void,
): Channel<Request> {
  let current = 0;
  worker.onmessage = (event: MessageEvent<Reply & { run?: number }>) => {
    const reply = event.data;
    if (reply.run !== undefined && reply.run !== current) return;
    if (reply.type === "error") onError((reply as unknown as { message: string }).message);
    else onReply(reply as Exclude<Reply, { type: "error" }>);
  };
  worker.onerror = (event) => onError(`worker failed: ${event.message || "could not load"}`);
  return {
    start: (request) => worker.postMessage({ ...request, run: ++current }),
    stop: (request) => {
      current++;
      worker.postMessage(request);
    },
    send: (request) => worker.postMessage(request),
    terminate: () => worker.terminate(),
  };
}

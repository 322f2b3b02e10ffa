/** A page of the playground: `mount` fills the element and returns how to tear it down (stop workers). */
export interface View {
  readonly id: string;
  readonly title: string;
  mount(root: HTMLElement): () => void;
}

/**
 * Wires a view's module worker; errors in it reach `onError` instead of vanishing.
 * (Each view writes `new Worker(new URL("…", import.meta.url), { type: "module" })`
 * itself: that literal form is what Vite bundles as a worker.)
 */
export function wire<Reply extends { type: string }>(worker: Worker, onReply: (reply: Exclude<Reply, { type: "error" }>) => void, onError: (message: string) => void): Worker {
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    if (reply.type === "error") onError((reply as unknown as { message: string }).message);
    else onReply(reply as Exclude<Reply, { type: "error" }>);
  };
  worker.onerror = (event) => onError(`worker failed: ${event.message || "could not load"}`);
  return worker;
}

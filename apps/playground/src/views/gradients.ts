import type { View } from "./view.ts";
export const gradientsView: View = { id: "gradients", title: "gradients", mount: () => () => {} };

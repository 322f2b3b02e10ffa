import type { View } from "./view.ts";
export const backpropView: View = { id: "backprop", title: "backprop", mount: () => () => {} };

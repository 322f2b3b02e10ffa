import type { View } from "./view.ts";
export const kernelsView: View = { id: "kernels", title: "kernels", mount: () => () => {} };

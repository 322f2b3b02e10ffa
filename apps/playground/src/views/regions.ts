import type { View } from "./view.ts";
export const regionsView: View = { id: "regions", title: "regions", mount: () => () => {} };

import type { View } from "./view.ts";
export const raceView: View = { id: "race", title: "race", mount: () => () => {} };

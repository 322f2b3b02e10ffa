import { defaultMnistSettings, type MnistSettings } from "./models/mnist-model.ts";

/** Settings shared between views: Under the hood shows the model the MNIST view last trained (or would train). */
export const shared: { mnist: MnistSettings } = { mnist: defaultMnistSettings };

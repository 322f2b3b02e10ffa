export { toOnnx, type ToOnnxOptions } from "./to-onnx.ts";

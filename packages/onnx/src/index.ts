/**
 * `toOnnx()`: export an inference graph to ONNX.
 *
 * @module @gradfold/onnx
 */
export { toOnnx, type ToOnnxOptions } from "./to-onnx.ts";

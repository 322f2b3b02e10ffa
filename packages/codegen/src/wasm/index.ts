/**
 * WebAssembly SIMD kernels for @gradfold/codegen, generated in TypeScript with no
 * external toolchain: a binary encoder, f32 matmul kernels specialized to constant
 * shapes (nn, tn, nt; bias/relu/accumulate epilogues). The multi-core pools live in the
 * platform entries: `@gradfold/codegen/node` (worker_threads) and `@gradfold/codegen/browser`
 * (Web Workers); `@gradfold/codegen/threads` picks one by export condition. See README.md here.
 */
export { buildMatmulKernels, matmulFunction } from "./matmul-kernels.ts";
export type { BuildMatmulOptions, MatmulKernel, MatmulKernels } from "./matmul-kernels.ts";
export { resolveMatmul, storedShapes } from "./matmul-spec.ts";
export type { MatmulActivation, MatmulSpec, MatmulVariant, ResolvedMatmul } from "./matmul-spec.ts";
export { defaultTuning } from "./matmul-tuning.ts";
export type { MatmulTuning } from "./matmul-tuning.ts";
export { planSplit, splitColumns, splitRows } from "./matmul-split.ts";
export type { MatmulPart } from "./matmul-split.ts";
export { referenceMatmul } from "./reference-matmul.ts";
export { portableFeatures, wasmFeatures, type WasmFeatures } from "./features.ts";
export { FunctionBuilder } from "./function-builder.ts";
export type { Label, Local } from "./function-builder.ts";
export { buildModule } from "./module-builder.ts";
export type { MemoryImport } from "./module-builder.ts";
export type { ValType } from "./opcodes.ts";
export { wasm } from "./wasm-api.ts";
export type { WasmInstance, WasmMemory, WasmModule } from "./wasm-api.ts";
export { activationMeaning } from "./activation.ts";
export type { Activation } from "./activation.ts";
export { emitExp, emitLog, emitSigmoid, emitTanh } from "./exp-approx.ts";
export type { Temp } from "./exp-approx.ts";
export { activationEmitters, tempLocals } from "./activation.ts";
export type { ActivationEmitter } from "./activation.ts";

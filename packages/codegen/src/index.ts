/**
 * Specialized JavaScript and Wasm kernels for a training step: `compile()` in process, `emit()` a standalone ES module.
 *
 * @module @gradfold/codegen
 */
export { compile, type CompiledModel, type CompiledStep, type StepObject, type StepFeeds, type StepResults, type KernelInfo } from "./compile.ts";
export { emit, emitModule, type EmitOptions, type EmittedModule } from "./emit.ts";
export type { StepSpec, CompileOptions, Backend } from "./spec.ts";
export type { Kernel } from "./lower/kernel.ts";
export type { ModelSpec, EntrySpec } from "./model.ts";
export type { ModelSizes, Specializations } from "./model-sizes.ts";
export type { NumericsReport } from "./numerics.ts";

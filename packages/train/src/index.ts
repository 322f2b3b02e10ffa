// The CompiledModel these functions consume (DESIGN.md's multi-entry compile)
export type { CompiledModel, EntryInfo, TensorInfo, Feeds, Results } from "./compiled-model.ts";
export {
  compileModel,
  compileModelAsync,
  type ModelSpec,
  type UpdateRule,
  type TrainModel,
  type ModelCompiler,
  type CompiledEntries,
  type CompileModelOptions,
} from "./compile-model.ts";

// The loop
export { fit, fitLoop, type FitOptions, type FitCallbacks, type FitStatus, type History, type BatchLog, type EpochLog } from "./fit.ts";
export { fitAsync, type FitAsyncOptions } from "./fit-async.ts";
export { evaluate, predict, type Metric, type EvaluateOptions, type Evaluation, type PredictOptions } from "./evaluate.ts";
export type { EarlyStopping } from "./monitor.ts";
export { shuffledOrder, type Dataset, type Column } from "./data.ts";

// Weights
export { saveWeights, loadWeights, type SaveWeightsOptions, type LoadWeightsOptions } from "./weights.ts";
export { encodeSafetensors, decodeSafetensors, float32Of, type SafetensorsFile, type SafetensorsTensor, type SafetensorsDtype } from "./safetensors.ts";

/**
 * What a compiler needs beyond the user's API: making nodes (`apply`, `lift`), the op
 * registry and its traits, traversal and rewriting, shape arithmetic, the scalar kernels
 * the ops evaluate with, the seeded generator and string hash. Not for model code; may
 * change without a major version.
 *
 * @module @gradfold/graph/internal
 */
export { broadcastShapes, bindShape, sameShape, isConcrete, stridesOf } from "./shape.ts";
export type { OpParams, OpDef, Trait, Value, VjpContext, Conv2dParams, Pool2dParams } from "./op.ts";
export { defineOp, hasTrait } from "./op.ts";
export { apply, lift } from "./tensor.ts";
export { registry, opKinds, opDef, defOf } from "./registry.ts";
export { evaluateValues, checkFeed } from "./evaluate.ts";
export { topoSort, substitute, rebuild, leavesOf } from "./traverse.ts";
export { constantValue } from "./ops/leaves.ts";
export { sigmoidScalar, softplusScalar } from "./ops/activations.ts";
export { erfScalar } from "./ops/unary-math.ts";
export { unbroadcast } from "./ops/unbroadcast.ts";
export { customOpSpec } from "./ops/custom.ts";
export { mulberry32Bits, fnv1a } from "./random.ts";
export { userCallSite } from "./errors.ts";
export { callSiteOf, inheritSite, withoutSites } from "./sites.ts";

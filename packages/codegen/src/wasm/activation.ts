import type { FunctionBuilder, Local } from "./function-builder.ts";
import { emitSigmoid, emitTanh, type Temp } from "./exp-approx.ts";
import type { ValType } from "./opcodes.ts";

/** Functions applied elementwise after a matmul (its epilogue) or in an elementwise kernel. */
export type Activation = "none" | "relu" | "sigmoid" | "tanh";

/** Replaces the value on top of the stack (v128 when `vector`, else f32) with its image. */
export type ActivationEmitter = (fn: FunctionBuilder, vector: boolean, temp: Temp) => void;

export const activationEmitters: { [A in Activation]: ActivationEmitter } = {
  none: () => {},
  // max propagates NaN (like Math.max), so a NaN pre-activation stays visible.
  relu: (fn, vector) => (vector ? fn.f32x4(0).simd("f32x4.max") : fn.f32(0).core("f32.max")),
  sigmoid: emitSigmoid,
  tanh: emitTanh,
};

/** The float64 meaning of each activation: the tests' and the reference matmul's oracle. */
export const activationMeaning: { [A in Activation]: (x: number) => number } = {
  none: (x) => x,
  relu: (x) => Math.max(0, x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

/**
 * Locals for temporaries, reused between elements: `reset()` before each element,
 * then `temp(type)` hands out the next free local of that type (allocating only
 * when an element needs more than any before it).
 */
export function tempLocals(fn: FunctionBuilder): { reset(): void; temp(type: ValType): Temp } {
  const pools = new Map<ValType, { locals: Local[]; used: number }>();
  return {
    reset() {
      for (const pool of pools.values()) pool.used = 0;
    },
    temp(type) {
      return () => {
        let pool = pools.get(type);
        if (!pool) {
          pool = { locals: [], used: 0 };
          pools.set(type, pool);
        }
        if (pool.used === pool.locals.length) pool.locals.push(fn.local(type));
        return pool.locals[pool.used++];
      };
    },
  };
}

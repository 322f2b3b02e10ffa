import { signedLeb128, unsignedLeb128, f32Bytes } from "./leb128.ts";
import { BLOCK_VOID, SIMD_PREFIX, op, simdOp, valType, type CoreOp, type SimdOp, type ValType } from "./opcodes.ts";

/** A local variable (parameters first, then declared locals), by index. */
export type Local = { readonly index: number; readonly type: ValType };

/** A branch target: the nesting depth at which its block or loop was opened. */
export type Label = { readonly depth: number };

type MemoryLoad = "i32.load" | "i64.load" | "f32.load";
type MemoryStore = "i32.store" | "i64.store" | "f32.store";
type SimdMemory = "v128.load" | "v128.load32_splat" | "v128.load32_zero" | "v128.store";
type SimdLaneOp = "f32x4.extract_lane" | "f32x4.replace_lane";
type SimdLaneMemory = "v128.store32_lane";

const naturalAlign: Record<MemoryLoad | MemoryStore | SimdMemory | SimdLaneMemory, number> = {
  "i32.load": 2,
  "f32.load": 2,
  "i32.store": 2,
  "f32.store": 2,
  // i64 accesses copy pairs of floats (4-byte aligned), so hint 4 as for v128.
  "i64.load": 2,
  "i64.store": 2,
  // v128 accesses are only guaranteed 4-byte aligned (Float32Array views), so hint 4.
  "v128.load": 2,
  "v128.store": 2,
  "v128.load32_splat": 2,
  "v128.load32_zero": 2,
  "v128.store32_lane": 2,
};

/**
 * Writes the body of one WebAssembly function as a stack-machine instruction
 * stream. Methods are named after the text format and return `this`, so kernel
 * generators read close to the `.wat` they produce. Structured control flow takes
 * callbacks, so blocks are always closed and branch depths computed, never counted
 * by hand.
 */
export class FunctionBuilder {
  private readonly declared: ValType[] = [];
  private readonly code: number[] = [];
  private depth = 0;

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** The i-th parameter as a local. */
  param(i: number): Local {
    if (i < 0 || i >= this.params.length) throw new RangeError(`no parameter ${i}`);
    return { index: i, type: this.params[i] };
  }

  /** Declares a new local of the given type. */
  local(type: ValType): Local {
    this.declared.push(type);
    return { index: this.params.length + this.declared.length - 1, type };
  }

  get(l: Local): this {
    return this.withU32(op["local.get"], l.index);
  }
  set(l: Local): this {
    return this.withU32(op["local.set"], l.index);
  }
  tee(l: Local): this {
    return this.withU32(op["local.tee"], l.index);
  }
  i32(value: number): this {
    // One-byte immediates (−64 ≤ v < 64) are most constants; skip the general encoder.
    if (value >= -64 && value < 64 && Number.isInteger(value)) {
      this.code.push(op["i32.const"], value & 0x7f);
      return this;
    }
    return this.raw(op["i32.const"], ...signedLeb128(value));
  }
  f32(value: number): this {
    return this.raw(op["f32.const"], ...f32Bytes(value));
  }

  /** Any immediate-free core instruction, e.g. `i32.add`. */
  core(name: CoreOp): this {
    this.code.push(op[name]);
    return this;
  }

  /** Any immediate-free SIMD instruction, e.g. `f32x4.mul`. */
  simd(name: SimdOp): this {
    return this.withU32(SIMD_PREFIX, simdOp[name]);
  }

  /** A scalar load or store with a constant byte offset added to the address on the stack. */
  mem(name: MemoryLoad | MemoryStore, offset = 0): this {
    this.code.push(op[name], naturalAlign[name]);
    return this.u32(offset);
  }

  /** A v128 load/store (or splat/zero-extending load) with a constant byte offset. */
  simdMem(name: SimdMemory, offset = 0): this {
    this.simd(name).code.push(naturalAlign[name]);
    return this.u32(offset);
  }

  /** Stores one 32-bit lane of the v128 on the stack. */
  storeLane(name: SimdLaneMemory, offset: number, lane: number): this {
    return this.simd(name).raw(naturalAlign[name], ...unsignedLeb128(offset), lane);
  }

  /** `f32x4.extract_lane` / `replace_lane` with its lane immediate. */
  lane(name: SimdLaneOp, lane: number): this {
    if (lane < 0 || lane > 3) throw new RangeError(`f32x4 lane ${lane}`);
    return this.simd(name).raw(lane);
  }

  /** `i8x16.shuffle`: byte i of the result is byte `lanes[i]` of a‖b (0–15 from a, 16–31 from b). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => l < 0 || l > 31)) throw new RangeError(`i8x16.shuffle lanes ${lanes}`);
    return this.simd("i8x16.shuffle").raw(...lanes);
  }

  /** `v128.const` of four equal f32 lanes. */
  f32x4(value: number): this {
    const lane = f32Bytes(value);
    return this.simd("v128.const").raw(...lane, ...lane, ...lane, ...lane);
  }

  /** `v128.const` of four equal i32 lanes. */
  i32x4(value: number): this {
    const lane = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
    return this.simd("v128.const").raw(...lane, ...lane, ...lane, ...lane);
  }

  /** `i32.trunc_sat_f32_s` (0xFC 0): NaN → 0 and out-of-range saturate instead of trapping. */
  truncSatF32ToI32(): this {
    return this.raw(0xfc, 0x00);
  }

  /** `block ... end`: a `br` to its label jumps past the end. */
  block(body: (exit: Label) => void): this {
    return this.structured(op.block, body);
  }

  /** `loop ... end`: a `br` to its label jumps back to the start. */
  loop(body: (start: Label) => void): this {
    return this.structured(op.loop, body);
  }

  brIf(label: Label): this {
    return this.raw(op.br_if, ...unsignedLeb128(this.depth - label.depth));
  }
  br(label: Label): this {
    return this.raw(op.br, ...unsignedLeb128(this.depth - label.depth));
  }

  /**
   * Runs `body` exactly `count` times (count ≥ 1 is known when generating, so no
   * entry test): `counter = count; loop { body; counter -= 1; br_if counter }`.
   */
  repeat(counter: Local, count: number, body: () => void): this {
    if (count <= 0) return this;
    if (count === 1) {
      body();
      return this;
    }
    this.i32(count).set(counter);
    return this.loop((start) => {
      body();
      this.get(counter).i32(1).core("i32.sub").tee(counter).brIf(start);
    });
  }

  /** `local += delta` for an i32 local (nothing when delta is 0). */
  addTo(l: Local, delta: number): this {
    if (delta === 0) return this;
    return this.get(l).i32(delta).core("i32.add").set(l);
  }

  /** The encoded function body: local declarations, instructions, `end`. */
  encode(): number[] {
    if (this.depth !== 0) throw new Error("FunctionBuilder: unclosed block");
    const groups: Array<[number, ValType]> = [];
    for (const type of this.declared) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0]++;
      else groups.push([1, type]);
    }
    const locals = unsignedLeb128(groups.length);
    for (const [count, type] of groups) locals.push(...unsignedLeb128(count), valType[type]);
    const out = unsignedLeb128(locals.length + this.code.length + 1);
    for (const b of locals) out.push(b);
    for (let i = 0; i < this.code.length; i++) out.push(this.code[i]);
    out.push(op.end);
    return out;
  }

  private structured(opcode: number, body: (label: Label) => void): this {
    this.raw(opcode, BLOCK_VOID);
    this.depth++;
    body({ depth: this.depth });
    this.depth--;
    return this.raw(op.end);
  }

  /** An opcode byte followed by an unsigned LEB128 immediate. */
  private withU32(opcode: number, value: number): this {
    this.code.push(opcode);
    return this.u32(value);
  }

  private u32(value: number): this {
    if (value >= 0 && value < 128 && Number.isInteger(value)) this.code.push(value);
    else for (const b of unsignedLeb128(value)) this.code.push(b);
    return this;
  }

  private raw(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
}

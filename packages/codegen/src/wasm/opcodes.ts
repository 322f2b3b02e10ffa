/**
 * The instruction opcodes the kernels use, by their text-format names
 * (https://webassembly.github.io/spec/core/binary/instructions.html).
 * SIMD instructions share the 0xFD prefix and carry a LEB128 sub-opcode.
 */

export const valType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = keyof typeof valType;

/** Single-byte core instructions. */
export const op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  "local.get": 0x20,
  "local.set": 0x21,
  "local.tee": 0x22,
  "i32.load": 0x28,
  "i64.load": 0x29,
  "f32.load": 0x2a,
  "i32.store": 0x36,
  "i64.store": 0x37,
  "f32.store": 0x38,
  "i32.const": 0x41,
  "f32.const": 0x43,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a,
  "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c,
  "i32.ge_s": 0x4e,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.shl": 0x74,
  "f32.eq": 0x5b,
  "f32.lt": 0x5d,
  "f32.gt": 0x5e,
  "f32.ne": 0x5c,
  "f32.ge": 0x60,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.shr_u": 0x76,
  "i32.reinterpret_f32": 0xbc,
  "f32.copysign": 0x98,
  "i32.trunc_f32_s": 0xa8,
  "f32.convert_i32_s": 0xb2,
  "f32.reinterpret_i32": 0xbe,
  "f32.nearest": 0x90,
  "f32.abs": 0x8b,
  "f32.neg": 0x8c,
  "f32.sqrt": 0x91,
  "f32.add": 0x92,
  "f32.sub": 0x93,
  "f32.mul": 0x94,
  "f32.div": 0x95,
  "f32.min": 0x96,
  "f32.max": 0x97,
} as const;
export type CoreOp = keyof typeof op;

/** SIMD sub-opcodes (after the 0xFD prefix). */
export const simdOp = {
  "v128.load": 0x00,
  "v128.load32_splat": 0x09,
  "v128.store": 0x0b,
  "v128.const": 0x0c,
  /** Followed by 16 lane indices (function-builder's `shuffle`). */
  "i8x16.shuffle": 0x0d,
  "f32x4.splat": 0x13,
  "f32x4.extract_lane": 0x1f,
  "f32x4.replace_lane": 0x20,
  "f32x4.eq": 0x41,
  "f32x4.ne": 0x42,
  "f32x4.lt": 0x43,
  "f32x4.gt": 0x44,
  "v128.and": 0x4e,
  "v128.or": 0x50,
  "v128.bitselect": 0x52,
  "v128.store32_lane": 0x5a,
  "v128.load32_zero": 0x5c,
  "f32x4.demote_f64x2_zero": 0x5e,
  "f64x2.promote_low_f32x4": 0x5f,
  "f32x4.nearest": 0x6a,
  "i32x4.shl": 0xab,
  "i32x4.shr_u": 0xad,
  "i32x4.add": 0xae,
  "i32x4.sub": 0xb1,
  "i32x4.trunc_sat_f32x4_s": 0xf8,
  "f32x4.convert_i32x4_s": 0xfa,
  "f32x4.abs": 0xe0,
  "f32x4.neg": 0xe1,
  "f32x4.sqrt": 0xe3,
  "f32x4.add": 0xe4,
  "f32x4.sub": 0xe5,
  "f32x4.mul": 0xe6,
  "f32x4.div": 0xe7,
  "f32x4.min": 0xe8,
  "f32x4.max": 0xe9,
  "f32x4.pmin": 0xea,
  "f32x4.pmax": 0xeb,
  "f64x2.add": 0xf0,
  "f64x2.sub": 0xf1,
  "f64x2.div": 0xf3,
  /** Relaxed SIMD: a·b + c, fused or not at the engine's choice. */
  "f32x4.relaxed_madd": 0x105,
} as const;
export type SimdOp = keyof typeof simdOp;

export const SIMD_PREFIX = 0xfd;
/** Block type of a block/loop that leaves nothing on the stack. */
export const BLOCK_VOID = 0x40;

/**
 * Type-level shape algebra: where dims are literals, the compiler computes result
 * shapes and rejects operands that do not fit. Wide types (`number`, `string`,
 * `Dim[]`) switch a check off rather than guess. Recursion is only over ranks,
 * never over dim values, so deep models stay well inside the compiler's limits.
 */
import type { Dim, Shape } from "./shape.ts";

/** Marks a rejected operand; the property name is what the compiler error shows. */
export interface ShapeMismatch<Message extends string> {
  readonly __shapeMismatch: Message;
}

/** True for `any`: checks are switched off for untyped (internal or dynamic) operands. */
type IsAny<T> = 0 extends 1 & T ? true : false;
type EitherAny<A, B> = IsAny<A> extends true ? true : IsAny<B>;

type IsWide<D> = number extends D ? true : string extends D ? true : false;
type IsTuple<S extends Shape> = number extends S["length"] ? false : true;

/** Two dims that can be the same at run time. */
export type DimsMatch<A, B> = IsWide<A> extends true ? true : IsWide<B> extends true ? true : [A] extends [B] ? true : false;

type BroadcastDim<A, B> = A extends 1 ? B : B extends 1 ? A : DimsMatch<A, B> extends true ? (IsWide<A> extends true ? B : A) : never;

/** Numpy broadcasting of two shapes; `never` when a pair of literal dims clashes. */
export type Broadcast<A extends Shape, B extends Shape> = IsTuple<A> extends false ? Dim[] : IsTuple<B> extends false ? Dim[] : BroadcastTuples<A, B>;

type BroadcastTuples<A extends Shape, B extends Shape> = A extends readonly []
  ? [...B]
  : B extends readonly []
    ? [...A]
    : A extends readonly [...infer AR extends Shape, infer AL]
      ? B extends readonly [...infer BR extends Shape, infer BL]
        ? [BroadcastDim<AL, BL>] extends [never]
          ? never
          : BroadcastTuples<AR, BR> extends infer Rest extends Dim[]
            ? [Rest] extends [never]
              ? never
              : [...Rest, BroadcastDim<AL, BL>]
            : never
        : never
      : never;

/** `unknown` when A and B broadcast, a ShapeMismatch otherwise (intersected with the operand). */
export type CheckBroadcast<A extends Shape, B extends Shape> =
  EitherAny<A, B> extends true ? unknown : [Broadcast<A, B>] extends [never] ? ShapeMismatch<"operand shapes do not broadcast"> : unknown;

// ---- matmul: [...batch, M, K] x [...batch, K, N] -> [...batch, M, N]

// `false`, not never, for rank < 2: a conditional on never would take its true branch below.
type Last2<S extends Shape> = S extends readonly [...infer B extends Shape, infer M extends Dim, infer K extends Dim] ? [B, M, K] : false;

export type MatmulShape<A extends Shape, B extends Shape> =
  IsTuple<A> extends false
    ? Dim[]
    : IsTuple<B> extends false
      ? Dim[]
      : Last2<A> extends [infer AB extends Shape, infer M extends Dim, infer K extends Dim]
        ? Last2<B> extends [infer BB extends Shape, infer K2 extends Dim, infer N extends Dim]
          ? DimsMatch<K, K2> extends true
            ? [Broadcast<AB, BB>] extends [never]
              ? never
              : [...Broadcast<AB, BB>, M, N]
            : never
          : never
        : never;

export type CheckMatmul<A extends Shape, B extends Shape> =
  EitherAny<A, B> extends true ? unknown : [MatmulShape<A, B>] extends [never] ? ShapeMismatch<"matmul needs [..., M, K] x [..., K, N] with equal inner dims"> : unknown;

// ---- axes

/** S's length minus N, or never when N exceeds it. */
type LengthMinus<S extends readonly unknown[], N extends number, Dropped extends unknown[] = []> = Dropped["length"] extends N
  ? S["length"]
  : S extends readonly [...infer R, unknown]
    ? LengthMinus<R, N, [...Dropped, 0]>
    : never;

/** A literal axis made non-negative; `never` when out of range for a literal rank. */
export type NormalizeAxis<S extends Shape, A extends number> =
  IsTuple<S> extends false
    ? number
    : number extends A
      ? number
      : A extends number // distributes over a union of axes (a list such as [0, -1])
        ? `${A}` extends `-${infer P extends number}`
          ? P extends 0
            ? never
            : LengthMinus<S, P>
          : A extends AxisIndex<S>
            ? A
            : never
        : never;

type AxesUnion<S extends Shape, A> = A extends number ? NormalizeAxis<S, A> : A extends readonly number[] ? NormalizeAxis<S, A[number]> : never;

type DropAxes<S extends Shape, Axes, Keep extends boolean, I extends unknown[] = []> = S extends readonly [infer H, ...infer R extends Shape]
  ? I["length"] extends Axes
    ? Keep extends true
      ? [1, ...DropAxes<R, Axes, Keep, [...I, 0]>]
      : DropAxes<R, Axes, Keep, [...I, 0]>
    : [H, ...DropAxes<R, Axes, Keep, [...I, 0]>]
  : [];

/** Shape after reducing `A` (an axis, a list of axes, or undefined for all). */
export type ReduceShape<S extends Shape, A, Keep extends boolean> =
  IsTuple<S> extends false
    ? Dim[]
    : A extends undefined
      ? Keep extends true
        ? { [I in keyof S]: 1 }
        : []
      : number extends AxesUnion<S, A>
        ? Dim[]
        : DropAxes<S, AxesUnion<S, A>, Keep>;

export type CheckAxes<S extends Shape, A> =
  IsAny<S> extends true
    ? unknown
    : A extends undefined
      ? unknown
      : [AxesUnion<S, A>] extends [never]
        ? ShapeMismatch<"axis out of range for the operand's rank">
        : A extends readonly number[]
          ? AxesValid<S, A>
          : unknown;

type AxesValid<S extends Shape, A extends readonly number[], Seen = never> = A extends readonly [infer H extends number, ...infer R extends readonly number[]]
  ? [NormalizeAxis<S, H>] extends [never]
    ? ShapeMismatch<"axis out of range for the operand's rank">
    : number extends NormalizeAxis<S, H>
      ? unknown
      : NormalizeAxis<S, H> extends Seen
        ? ShapeMismatch<"an axis is listed twice">
        : AxesValid<S, R, Seen | NormalizeAxis<S, H>>
  : unknown;

// ---- layout

/** The valid (non-negative) axis indices of a tuple shape: 0 | 1 | … | rank−1. */
export type AxisIndex<S extends Shape> = Exclude<Partial<S>["length"], S["length"]>;

/** `perm` must be as long as the rank; each entry picks an operand axis. */
export type PermuteShape<S extends Shape, P extends readonly number[]> =
  IsTuple<S> extends false
    ? Dim[]
    : number extends P["length"]
      ? Dim[]
      : P["length"] extends S["length"]
        ? { -readonly [I in keyof P]: P[I] extends AxisIndex<S> ? S[P[I]] : never }
        : never;

/** perm lists every axis of S exactly once (same length, and every axis covered). */
export type CheckPermute<S extends Shape, P extends readonly number[]> =
  IsAny<S> extends true
    ? unknown
    : IsTuple<S> extends false
      ? unknown
      : number extends P["length"]
        ? unknown
        : P["length"] extends S["length"]
          ? [Exclude<AxisIndex<S>, P[number]>] extends [never]
            ? [Exclude<P[number], AxisIndex<S>>] extends [never]
              ? unknown
              : ShapeMismatch<"perm must list every axis of the operand once">
            : ShapeMismatch<"perm must list every axis of the operand once">
          : ShapeMismatch<"perm must list every axis of the operand once">;

/** reshape's result as given, except that a -1 (inferred at run time) is only known to be a number. */
export type ReshapeShape<T extends Shape> = { -readonly [I in keyof T]: T[I] extends -1 ? number : T[I] };

/** Numpy `.T`: all axes reversed. */
export type Reverse<S extends Shape> = IsTuple<S> extends false ? Dim[] : S extends readonly [infer H, ...infer R extends Shape] ? [...Reverse<R>, H] : [];

/** broadcastTo: the target must be reachable from S by broadcasting. */
export type CheckBroadcastTo<S extends Shape, T extends Shape> =
  IsAny<S> extends true
    ? unknown
    : [Broadcast<S, T>] extends [never]
      ? ShapeMismatch<"operand does not broadcast to the target shape">
      : IsTuple<T> extends false
        ? unknown
        : IsTuple<S> extends false
          ? unknown
          : Broadcast<S, T>["length"] extends T["length"]
            ? unknown
            : ShapeMismatch<"target shape has a lower rank than the operand">;

/** slice(begin, size): one entry per axis; a size of -1 keeps the rest of that axis. */
export type SliceShape<S extends Shape, Z extends readonly Dim[]> =
  IsTuple<S> extends false ? Dim[] : number extends Z["length"] ? Dim[] : { -readonly [I in keyof Z]: Z[I] extends -1 ? (I extends keyof S ? S[I] : never) : Z[I] };

export type CheckRank<S extends Shape, L extends readonly unknown[]> =
  IsAny<S> extends true
    ? unknown
    : IsTuple<S> extends false
      ? unknown
      : number extends L["length"]
        ? unknown
        : L["length"] extends S["length"]
          ? unknown
          : ShapeMismatch<"one entry per axis of the operand is needed">;

type SplitAt<S extends Shape, A extends number, Head extends Dim[] = []> = Head["length"] extends A
  ? S extends readonly [unknown, ...infer Tail extends Shape]
    ? [Head, [...Tail]]
    : never
  : S extends readonly [infer H extends Dim, ...infer R extends Shape]
    ? SplitAt<R, A, [...Head, H]>
    : never;

/** gather along `A`: the axis is replaced by the indices' shape. */
export type GatherShape<S extends Shape, I extends Shape, A extends number> =
  IsTuple<S> extends false
    ? Dim[]
    : NormalizeAxis<S, A> extends infer P extends number
      ? number extends P
        ? Dim[]
        : SplitAt<S, P> extends [infer Head extends Dim[], infer Tail extends Dim[]]
          ? [...Head, ...I, ...Tail]
          : never
      : never;

/** Concatenation: same rank, equal dims off the axis; the axis dim is summed at run time. */
export type ConcatShape<S extends Shape, A extends number> =
  IsTuple<S> extends false
    ? Dim[]
    : NormalizeAxis<S, A> extends infer P extends number
      ? number extends P
        ? Dim[]
        : { -readonly [I in keyof S]: I extends `${P}` ? number : S[I] }
      : never;

export type CheckConcat<S extends Shape, Others extends readonly { shape: Shape }[], A extends number> =
  IsAny<S> extends true
    ? unknown
    : [NormalizeAxis<S, A>] extends [never]
      ? ShapeMismatch<"axis out of range for the operand's rank">
      : { [K in keyof Others]: SameOffAxis<S, Others[K]["shape"], NormalizeAxis<S, A>> }[number] extends true
        ? unknown
        : ShapeMismatch<"concat operands must agree on every dim but the axis">;

type SameOffAxis<S extends Shape, T extends Shape, A> =
  IsTuple<S> extends false
    ? true
    : IsTuple<T> extends false
      ? true
      : T["length"] extends S["length"]
        ? false extends { [I in keyof S]: I extends `${A & number}` ? true : I extends keyof T ? DimsMatch<S[I], T[I]> : false }[number]
          ? false
          : true
        : false;

/** concat's function form: the first operand's shape decides, the rest must agree with it off the axis. */
export type ConcatListShape<T extends readonly { shape: Shape }[], A extends number> = T extends readonly [{ shape: infer S extends Shape }, ...unknown[]]
  ? ConcatShape<S, A>
  : Dim[];

export type CheckConcatList<T extends readonly { shape: Shape; dtype: unknown }[], A extends number> = T extends readonly [
  { shape: infer S extends Shape; dtype: infer D },
  ...infer Rest extends readonly { shape: Shape; dtype: unknown }[],
]
  ? Rest[number]["dtype"] extends D
    ? CheckConcat<S, Rest, A>
    : ShapeMismatch<"concat operands must share one dtype">
  : unknown;

/** Labels for logits [..., C]: the logits' shape without the class axis. */
export type LabelShape<L extends Shape> = IsTuple<L> extends false ? Shape : L extends readonly [...infer S extends Dim[], Dim] ? S : never;

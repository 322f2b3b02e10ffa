/**
 * Type-level shapes of the NHWC window ops (conv, pooling). Batch and channel dims
 * keep their literal or named types; the spatial output dims widen to `number`,
 * since their arithmetic (padding, stride, dilation) would strain the compiler.
 */
import type { Dim, Shape } from "./shape.ts";
import type { DimsMatch, ShapeMismatch } from "./shape-types.ts";

type IsAny<T> = 0 extends 1 & T ? true : false;
type IsTuple<S extends Shape> = number extends S["length"] ? false : true;

/** [batch, height, width, channels] as a tuple, or false. */
type Nhwc<S extends Shape> = S extends readonly [infer N extends Dim, Dim, Dim, infer C extends Dim] ? [N, C] : false;

/** conv2d's result: [batch, number, number, out channels]. */
export type Conv2dShape<X extends Shape, W extends Shape> =
  IsTuple<X> extends false
    ? Dim[]
    : Nhwc<X> extends [infer N extends Dim, Dim]
      ? W extends readonly [Dim, Dim, Dim, infer O extends Dim]
        ? [N, number, number, O]
        : IsTuple<W> extends false
          ? [N, number, number, Dim]
          : never
      : never;

/** The groups an options object states; 1 when it states none. */
export type GroupsOf<O> = O extends { readonly groups: infer G } ? (G extends number ? G : 1) : 1;

/**
 * `unknown` when x [n, h, w, c] and filter [kh, kw, cg, o] fit; with one group (the
 * default) the input channels must equal cg. With several groups only ranks are checked.
 */
export type CheckConv2d<X extends Shape, W extends Shape, G> =
  IsAny<X> extends true
    ? unknown
    : IsAny<W> extends true
      ? unknown
      : IsTuple<X> extends true
        ? Nhwc<X> extends false
          ? ShapeMismatch<"conv2d input must be rank 4 [batch, height, width, channels]">
          : W extends readonly [Dim, Dim, infer CG, Dim]
            ? [G] extends [1]
              ? DimsMatch<X[3], CG> extends true
                ? unknown
                : ShapeMismatch<"conv2d input channels (axis 3) must equal the filter's in-channels (axis 2)">
              : unknown
            : IsTuple<W> extends true
              ? ShapeMismatch<"conv2d filter must be rank 4 [kh, kw, in/groups, out]">
              : unknown
        : unknown;

/** A pooling result: [batch, number, number, channels]. */
export type Pool2dShape<X extends Shape> = IsTuple<X> extends false ? Dim[] : Nhwc<X> extends [infer N extends Dim, infer C extends Dim] ? [N, number, number, C] : never;

/** Global pooling over height and width: [batch, channels]. */
export type GlobalPoolShape<X extends Shape> = IsTuple<X> extends false ? Dim[] : Nhwc<X> extends [infer N extends Dim, infer C extends Dim] ? [N, C] : never;

export type CheckNhwc<X extends Shape> =
  IsAny<X> extends true
    ? unknown
    : IsTuple<X> extends false
      ? unknown
      : Nhwc<X> extends false
        ? ShapeMismatch<"expected a rank-4 NHWC tensor [batch, height, width, channels]">
        : unknown;

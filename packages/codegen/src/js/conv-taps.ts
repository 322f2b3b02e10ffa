import type { Conv2dParams, Pool2dParams } from "@gradfold/graph/internal";
import type { SourceBuilder } from "./builder.ts";

/**
 * `a * s + b`, `c * d` as source with the 0s and 1s left out, so the generated index
 * arithmetic reads like hand-written code: `oh * 2 - 1 + kh * 2` → `oh - 1 + kh` at stride 1.
 */
export function affine(terms: readonly (readonly [string, number] | number)[]): string {
  let out = "";
  for (const t of terms) {
    const [text, sign] = typeof t === "number" ? [String(Math.abs(t)), t] : [Math.abs(t[1]) === 1 ? t[0] : `${t[0]} * ${Math.abs(t[1])}`, t[1]];
    if (sign === 0) continue;
    out += out === "" ? (sign < 0 ? `-${text}` : text) : sign < 0 ? ` - ${text}` : ` + ${text}`;
  }
  return out === "" ? "0" : out;
}

/**
 * Opens the loops over a window's taps for output position (oh, ow), with `ih`, `iw`
 * bound to the input row and column. Taps in the padding are skipped (`continue`),
 * or with `zeros` kept, a boolean `inside` (when there is padding) telling whether the tap reads the
 * input (conv padding is literal zeros that still multiply). Checks are only
 * emitted on the sides that have padding. Returns how many blocks to close.
 */
export function openTaps(b: SourceBuilder, win: Conv2dParams | Pool2dParams, kernel: readonly [number, number], size: readonly [number, number], zeros = false): number {
  const [top, bottom, left, right] = win.pads;
  const outside: string[] = [];
  const axis = (k: string, i: string, o: string, n: number, stride: number, before: number, dilation: number, after: number, extent: number) => {
    b.open(`for (let ${k} = 0; ${k} < ${n}; ${k}++)`);
    b.line(`const ${i} = ${affine([[o, stride], -before, [k, dilation]])};`);
    const checks = [before > 0 ? `${i} < 0` : "", after > 0 ? `${i} >= ${extent}` : ""].filter((c) => c !== "");
    if (checks.length > 0 && !zeros) b.line(`if (${checks.join(" || ")}) continue;`);
    outside.push(...checks);
  };
  axis("kh", "ih", "oh", kernel[0], win.strides[0], top, win.dilations[0], bottom, size[0]);
  axis("kw", "iw", "ow", kernel[1], win.strides[1], left, win.dilations[1], right, size[1]);
  if (zeros && outside.length > 0) b.line(`const inside = !(${outside.join(" || ")});`);
  return 2;
}

/** Opens `for (let v = 0; v < n; v++)` for each [v, n]; returns the count to close. */
export function openRange(b: SourceBuilder, loops: readonly (readonly [string, number])[]): number {
  for (const [v, n] of loops) b.open(`for (let ${v} = 0; ${v} < ${n}; ${v}++)`);
  return loops.length;
}

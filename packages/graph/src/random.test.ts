import { expect, test } from "vitest";
import { fnv1a, mulberry32, mulberry32Bits } from "./random.ts";

test("fnv1a matches the published FNV-1a 32-bit test vectors", () => {
  expect(fnv1a("")).toBe(0x811c9dc5);
  expect(fnv1a("a")).toBe(0xe40c292c);
  expect(fnv1a("foobar")).toBe(0xbf9cf968);
  // Continuing from a hash is hashing the concatenation.
  expect(fnv1a("bar", fnv1a("foo"))).toBe(fnv1a("foobar"));
});

test("mulberry32's uniforms are its uint32 words over 2³², in [0, 1), the same for the same seed", () => {
  const words = mulberry32Bits(42);
  const uniforms = mulberry32(42);
  const again = mulberry32(42);
  for (let i = 0; i < 1000; i++) {
    const w = words();
    const u = uniforms();
    expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    expect(u).toBe(w / 2 ** 32);
    expect(again()).toBe(u);
  }
  expect(mulberry32(43)()).not.toBe(mulberry32(42)());
});

import { describe, expect, it } from "vitest";
import { jsonText } from "./json-text.ts";

describe("jsonText", () => {
  it("writes NaN and ±Infinity as strings, keeps finite numbers, -0 and null as JSON does", () => {
    const text = jsonText({ a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], c: 1.5, d: -0, e: null });
    expect(JSON.parse(text)).toEqual({ a: "NaN", b: ["Infinity", "-Infinity"], c: 1.5, d: 0, e: null });
    expect(jsonText({ x: 2 }, 2)).toBe('{\n  "x": 2\n}');
  });
});

import { describe, expect, it } from "vitest";
import { formatDiff, formatMs, formatRatio, markdownTable } from "./table.ts";

describe("markdownTable", () => {
  it("pads columns, left-aligns the first and right-aligns the rest", () => {
    const text = markdownTable(
      ["config", "ms"],
      [
        ["small", "6.5"],
        ["wide net", "127"],
      ],
    );
    expect(text).toBe(["| config   |  ms |", "|:---------|----:|", "| small    | 6.5 |", "| wide net | 127 |"].join("\n"));
  });
  it("escapes pipes inside cells and fills missing cells", () => {
    const text = markdownTable(["a", "b"], [["x|y"]]);
    expect(text.split("\n")[2]).toBe("| x\\|y |     |");
  });
});

describe("number formats", () => {
  it("prints milliseconds with about three significant digits", () => {
    expect([0.4123, 6.534, 41.23, 2183.4].map(formatMs)).toEqual(["0.412", "6.53", "41.2", "2183"]);
    expect(formatMs(undefined)).toBe("—");
  });
  it("prints peer/baseline ratios", () => {
    expect(formatRatio(13, 2)).toBe("6.50×");
    expect(formatRatio(2200, 20)).toBe("110×");
    expect(formatRatio(undefined, 2)).toBe("—");
    expect(formatRatio(3, 0)).toBe("—");
  });
  it("prints loss differences in scientific notation", () => {
    expect(formatDiff(3.14e-6)).toBe("3.1e-6");
    expect(formatDiff(0)).toBe("0");
    expect(formatDiff(Number.POSITIVE_INFINITY)).toBe("NaN/∞");
  });
});

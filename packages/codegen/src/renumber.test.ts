import { describe, expect, it } from "vitest";
import { renumberNodeIds } from "./renumber.ts";

describe("renumberNodeIds", () => {
  it("numbers node ids by first appearance, one number per node across prefixes and texts", () => {
    const [body, kernel] = renumberNodeIds([
      "function k0(t41, t7) { const s7 = t7[0]; const v42 = t41[0] + s7; const v42_01 = v42; } // add#42, relu#41",
      '// reads t7 (param "W")',
    ]);
    expect(body).toBe("function k0(t0, t1) { const s1 = t1[0]; const v2 = t0[0] + s1; const v2_01 = v2; } // add#2, relu#0");
    expect(kernel).toBe('// reads t1 (param "W")');
  });
  it("leaves JSON string literals (user names, base64) and other identifiers alone", () => {
    const text = 'const meta = JSON.parse("{\\"name\\":\\"t5 #3\\"}"); const b3 = new Int32Array(4); for (let r0 = 0; r0 < 4; r0++) t9[r0] = 0;';
    expect(renumberNodeIds([text])[0]).toBe('const meta = JSON.parse("{\\"name\\":\\"t5 #3\\"}"); const b3 = new Int32Array(4); for (let r0 = 0; r0 < 4; r0++) t0[r0] = 0;');
  });
});

/**
 * Compiles test-fixtures/shape-mistakes.ts with the package's compiler options and
 * checks the exact set of erroring lines, and that each error is the expected one:
 * stronger than `@ts-expect-error`, which any error (a typo too) would satisfy.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const fixture = join(packageDir, "test-fixtures", "shape-mistakes.ts");

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(packageDir, "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, packageDir).options;
}

test("the compiler rejects exactly the marked mistakes, each for the stated reason", () => {
  const program = ts.createProgram([fixture], { ...compilerOptions(), noEmit: true });
  const source = program.getSourceFile(fixture)!;
  const got = new Map<number, string>();
  for (const d of ts.getPreEmitDiagnostics(program, source)) {
    const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
    got.set(line, `${got.get(line) ?? ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}\n`);
  }
  const expected = new Map<number, string>();
  readFileSync(fixture, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const marker = /;\s*\/\/ error: (.*)$/.exec(text);
      if (marker) expected.set(i + 1, marker[1].trim());
    });
  expect(expected.size).toBeGreaterThan(30);
  const missing = [...expected.keys()].filter((l) => !got.has(l));
  const unexpected = [...got.entries()].filter(([l]) => !expected.has(l));
  expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
  for (const [line, reason] of expected) expect(got.get(line), `line ${line}`).toContain(reason);
}, 180_000); // a whole tsc program: slow on a busy 2-core machine

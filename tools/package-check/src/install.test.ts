import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packInto } from "./pack.ts";
import { publishedPackages } from "./packages.ts";

/**
 * The packages as a user gets them: packed tarballs installed into a fresh project
 * outside the workspace, used from plain Node ESM and from TypeScript via `.d.ts`.
 */
describe("packed packages installed into a fresh project", () => {
  const packages = publishedPackages();
  let project: string;

  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: project, encoding: "utf8", stdio: "pipe" });

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "gradfold-install-"));
    const tarballs = packages.map((pkg) => packInto(pkg, project).tarball);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", ...tarballs, "typescript@5.9.3"]);
  });

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  for (const pkg of packages) {
    it(`imports ${pkg.name} alone in plain Node ESM`, () => {
      const out = run("node", ["--input-type=module", "-e", `const m = await import(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length);`]);
      expect(Number(out.trim())).toBeGreaterThan(0);
    });
  }

  it("ships no source maps, examples or bench helpers; graph's internal entry resolves", () => {
    for (const pkg of packages) {
      const files = readdirSync(join(project, "node_modules", pkg.name), { recursive: true, encoding: "utf8" });
      expect(
        files.filter((f) => /\.map$|(^|\/)(examples|bench|testing)\/|test-harness|roofline/.test(f)),
        pkg.name,
      ).toEqual([]);
    }
    const out = run("node", ["--input-type=module", "-e", 'const m = await import("@gradfold/graph/internal"); console.log(typeof m.topoSort);']);
    expect(out.trim()).toBe("function");
  });

  it("type-checks static shapes through the published .d.ts", () => {
    writeFileSync(
      join(project, "check.ts"),
      [
        'import { input, param, grad, type Tensor } from "@gradfold/graph";',
        'const x = input("x", ["batch", 784]);',
        'const W = param("W", [784, 10]);',
        "const logits = x.matmul(W);",
        'const shaped: Tensor<["batch", 10], "float32"> = logits;',
        "const [gW] = grad(logits.sum(), [W]);",
        'const sameAsW: Tensor<[784, 10], "float32"> = gW;',
        'const bad = param("B", [785, 10]);',
        "// @ts-expect-error inner dims 784 vs 785",
        "x.matmul(bad);",
        "export { shaped, sameAsW };",
      ].join("\n"),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: false } }),
    );
    expect(() => run("npx", ["tsc", "-p", "tsconfig.json"])).not.toThrow();
  });

  it("runs a tiny training step with the installed packages", () => {
    writeFileSync(join(project, "train.mjs"), TRAIN_SCRIPT);
    const out = JSON.parse(run("node", ["train.mjs"]));
    expect(out.after).toBeLessThan(out.before);
  });
});

/** Linear regression by gradient descent through the installed packages. */
const TRAIN_SCRIPT = `
import { input, param, grad } from "@gradfold/graph";
import { compile } from "@gradfold/codegen";
import { sgd } from "@gradfold/optimizers";
const x = input("x", ["batch", 3]);
const y = input("y", ["batch", 1]);
const w = param("w", [3, 1]);
const loss = x.matmul(w).sub(y).square().mean();
const updates = sgd({ lr: 0.1 }).updates(loss, [w]);
const step = compile({ inputs: [x, y], outputs: { loss }, updates, sizes: { batch: 4 } });
const xs = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1);
const ys = Float32Array.of(1, 2, 3, 6);
const before = step.run({ x: xs, y: ys }).loss[0];
let after = before;
for (let i = 0; i < 50; i++) after = step.run({ x: xs, y: ys }).loss[0];
console.log(JSON.stringify({ before, after }));
`;

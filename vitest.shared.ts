import { defineConfig } from "vitest/config";

/**
 * One vitest config for every package. Workspace packages resolve to their
 * TypeScript source (the "source" export condition), so a change in
 * @gradfold/graph is seen by its dependents' tests without a rebuild.
 * The JSON report feeds `.ci/run`'s `N passed, N failed` line.
 */
export function packageConfig(options: { typecheck?: boolean; timeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ["source"] },
    ssr: { resolve: { conditions: ["source"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: options.timeout ?? 30_000,
      hookTimeout: options.timeout ?? 30_000,
      reporters: ["default", "json"],
      outputFile: { json: ".vitest-report.json" },
      typecheck: {
        // On everywhere so that a package's first `*.test-d.ts` runs in CI without a config edit.
        enabled: options.typecheck ?? true,
        include: ["src/**/*.test-d.ts", "test/**/*.test-d.ts"],
        tsconfig: "./tsconfig.json",
      },
    },
  });
}

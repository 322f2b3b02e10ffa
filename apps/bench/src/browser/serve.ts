import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { tfjsWasmDir } from "../contenders/index.ts";
import { pageHtml, workerJs } from "./page.ts";

/**
 * Bundles the browser side (handle.ts and all it imports: gradfold from its TypeScript
 * source, jax-js, tfjs) for the browser, as a user's bundler would: platform browser,
 * so `@gradfold/codegen/threads` is the Web Worker pool.
 */
export async function bundleBench(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./handle.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["source"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

export interface BenchServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the page, the Worker, the bundle and tfjs-wasm's binaries on loopback with
 * COOP/COEP, which make the page cross-origin isolated: SharedArrayBuffer and shared
 * Wasm memory, hence gradfold (threads) and tfjs-wasm's threaded build.
 */
export async function serveBench(): Promise<BenchServer> {
  const files: Record<string, { type: string; body: string | (() => Promise<Buffer>) }> = {
    "/": { type: "text/html", body: pageHtml },
    "/worker.js": { type: "text/javascript", body: workerJs },
    "/bench.js": { type: "text/javascript", body: await bundleBench() },
  };
  const tfjsDir = tfjsWasmDir();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const headers = {
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cross-origin-resource-policy": "same-origin",
      "cache-control": "no-store",
    };
    const tfjsFile = /^\/tfjs\/(tfjs-backend-wasm[\w-]*\.wasm)$/.exec(path)?.[1];
    const file = tfjsFile ? { type: "application/wasm", body: () => readFile(`${tfjsDir}${tfjsFile}`) } : files[path];
    if (path === "/favicon.ico") {
      response.writeHead(204, headers).end();
      return;
    }
    if (!file) {
      response.writeHead(404, headers).end(`not found: ${path}`);
      return;
    }
    Promise.resolve(typeof file.body === "string" ? file.body : file.body()).then(
      (body) => response.writeHead(200, { ...headers, "content-type": file.type }).end(body),
      (error: unknown) => response.writeHead(500, headers).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

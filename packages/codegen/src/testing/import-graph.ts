import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Every module of a source tree: `.ts` files that are not tests and not scripts (bench/, examples/). */
export function moduleFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "bench" && entry.name !== "examples") walk(path);
      } else if (entry.name.endsWith(".ts") && !/\.test(-d)?\.ts$/.test(entry.name)) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

// Value imports and re-exports with a relative specifier; `import type` / `export type` erase.
const importPattern = /^\s*(?:import|export)\s+(?!type\s)(?:[^"';]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;

/** Relative value imports of each module (type-only imports vanish at run time, so they cannot cycle). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(importPattern)].map((m) => resolve(dirname(file), m[1]));
    graph.set(
      file,
      deps.filter((d) => files.includes(d)),
    );
  }
  return graph;
}

/** One import cycle per strongly connected part of the graph, as paths relative to `root`. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>, root: string): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === "open") cycles.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(root, f)));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

import { encodeName, unsignedLeb128 } from "./leb128.ts";
import { valType } from "./opcodes.ts";
import type { FunctionBuilder } from "./function-builder.ts";

/** How the module imports its linear memory, `env.memory`. */
export interface MemoryImport {
  /** A shared memory (SharedArrayBuffer-backed) must be declared shared, with a maximum. */
  readonly shared: boolean;
  readonly minimumPages?: number;
  readonly maximumPages?: number;
}

const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const FUNC_TYPE = 0x60;
const IMPORT_MEMORY = 0x02;
const EXPORT_FUNC = 0x00;
/** 65536 pages = 4 GiB: any memory the caller passes fits under this maximum. */
const MAX_PAGES = 65536;

/** Appends without spreading: spreads of long arrays were most of a build's time. */
function append(out: number[], bytes: readonly number[]): void {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
}

function section(out: number[], id: number, items: readonly number[][]): void {
  const count = unsignedLeb128(items.length);
  let size = count.length;
  for (const item of items) size += item.length;
  out.push(id);
  append(out, unsignedLeb128(size));
  append(out, count);
  for (const item of items) append(out, item);
}

/**
 * Assembles a module that imports `env.memory` and exports each function under its
 * name. Function types are deduplicated.
 */
export function buildModule(memory: MemoryImport, functions: ReadonlyArray<{ name: string; fn: FunctionBuilder }>): Uint8Array {
  const typeKeys: string[] = [];
  const types: number[][] = [];
  const typeIndexOf = functions.map(({ fn }) => {
    const key = `${fn.params.join(",")}->${fn.results.join(",")}`;
    let index = typeKeys.indexOf(key);
    if (index < 0) {
      index = typeKeys.push(key) - 1;
      types.push([FUNC_TYPE, ...unsignedLeb128(fn.params.length), ...fn.params.map((t) => valType[t]), ...unsignedLeb128(fn.results.length), ...fn.results.map((t) => valType[t])]);
    }
    return index;
  });

  const minimum = memory.minimumPages ?? 0;
  const limits = memory.shared
    ? [0x03, ...unsignedLeb128(minimum), ...unsignedLeb128(memory.maximumPages ?? MAX_PAGES)]
    : memory.maximumPages !== undefined
      ? [0x01, ...unsignedLeb128(minimum), ...unsignedLeb128(memory.maximumPages)]
      : [0x00, ...unsignedLeb128(minimum)];
  const importEntry = [...encodeName("env"), ...encodeName("memory"), IMPORT_MEMORY, ...limits];

  const seen = new Set<string>();
  for (const { name } of functions) {
    if (seen.has(name)) throw new Error(`buildModule: two functions named ${JSON.stringify(name)}`);
    seen.add(name);
  }
  const bytes = [...MAGIC_AND_VERSION];
  section(bytes, SECTION.type, types);
  section(bytes, SECTION.import, [importEntry]);
  section(
    bytes,
    SECTION.function,
    typeIndexOf.map((i) => unsignedLeb128(i)),
  );
  section(
    bytes,
    SECTION.export,
    functions.map(({ name }, i) => [...encodeName(name), EXPORT_FUNC, ...unsignedLeb128(i)]),
  );
  section(
    bytes,
    SECTION.code,
    functions.map(({ fn }) => fn.encode()),
  );
  return Uint8Array.from(bytes);
}

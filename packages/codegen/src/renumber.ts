/**
 * Generated code names buffers, locals and hoisted scalars after graph node ids
 * (`t12`, `v12`, `s12`, `add#12` in comments). Those ids come from a process-wide
 * counter, so they depend on everything built before: the same spec would give
 * different text in different processes, breaking content-hash caching. This
 * renumbers them 0, 1, 2... in order of first appearance across `texts`, one number
 * per node whatever the prefix. JSON string literals (the only way user names enter
 * generated code) are left as they are.
 */
const token = /"(?:[^"\\\n]|\\.)*"|\b([tvs])(\d+)|#(\d+)/g;

export function renumberNodeIds(texts: readonly string[]): string[] {
  const ids = new Map<string, number>();
  const local = (raw: string) => {
    let n = ids.get(raw);
    if (n === undefined) {
      n = ids.size;
      ids.set(raw, n);
    }
    return n;
  };
  return texts.map((text) =>
    text.replace(token, (match: string, prefix: string | undefined, id: string | undefined, hashId: string | undefined) => {
      if (match[0] === '"') return match;
      return prefix !== undefined ? `${prefix}${local(id!)}` : `#${local(hashId!)}`;
    }),
  );
}

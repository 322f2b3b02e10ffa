import { evaluate, initialValue, input, numel, type AnyTensor, type Feeds } from "@gradfold/graph";
import { bindShape, sameShape, substitute, defOf, hasTrait } from "@gradfold/graph/internal";
import type { KernelGroup, ExecutionPlan } from "../src/program.ts";

/**
 * Runs a plan the way generated code would, but with the reference interpreter
 * for each group: every value lives in its planned buffer at its planned offset of
 * one arena (so overlapping buffers clobber each other), groups run in order, and
 * update values are copied into their params at the end unless planned in place.
 * A wrong liveness or reuse decision shows up as a clobbered value.
 */
export function runSchedule(schedule: ExecutionPlan, feeds: Feeds): { outputs: Record<string, Float64Array>; params: Map<AnyTensor, Float64Array> } {
  const { buffers, sizes, program } = schedule;
  const arena = new Float64Array(buffers.arenaBytes / 4);
  const memory = buffers.bufferBytes.map((b, id) => arena.subarray(buffers.offsets[id] / 4, (buffers.offsets[id] + b) / 4));
  const numelOf = (t: AnyTensor) => numel(bindShape(t.shape, sizes, t.op));
  const bufferFor = (t: AnyTensor) => {
    const id = buffers.bufferOf.get(t);
    if (id === undefined) throw new Error(`no buffer for ${t}`);
    return memory[id];
  };
  const write = (t: AnyTensor, data: ArrayLike<number>) => bufferFor(t).set(Array.from(data).slice(0, numelOf(t)));
  const read = (t: AnyTensor) => Float64Array.from(bufferFor(t).subarray(0, numelOf(t)));

  for (const [t] of buffers.bufferOf) {
    if (t.is("input")) write(t, Array.from(feeds[t.params.name] as ArrayLike<number>, Number));
    else if (t.is("param")) write(t, initialValue(t));
    else if (t.is("constant")) write(t, t.params.data);
    else if (t.is("size")) write(t, [numel(bindShape(t.params.dims, sizes, "size"))]);
  }
  for (const group of schedule.groups) {
    const stand = new Map<AnyTensor, AnyTensor>(group.inputs.map((t, j) => [t, input(`__g${group.id}_${j}`, t.shape, t.dtype)]));
    const outs = substitute(group.outputs, stand);
    const groupFeeds: Record<string, number[]> = {};
    for (const [t, s] of stand) groupFeeds[(s.params as { name: string }).name] = Array.from(read(t));
    const values = evaluate(outs, groupFeeds, sizes);
    group.outputs.forEach((o, i) => {
      write(o, values[i]);
    });
  }
  const outputs: Record<string, Float64Array> = {};
  for (const [name, t] of Object.entries(program.outputs)) outputs[name] = read(t);
  const inPlace = new Set((buffers.inPlaceUpdates ?? []).map(([target]) => target));
  const updated = program.updates.map(([target, value]) => [target, read(value)] as const);
  for (const [target, data] of updated) if (!inPlace.has(target)) write(target, data);
  return { outputs, params: new Map(program.updates.map(([target]) => [target, read(target)])) };
}

const fusible = (t: AnyTensor) => hasTrait(defOf(t), "elementwise") || t.op === "broadcastTo";

/** The node layout program.ts promises for each group kind; returns what is violated, or null. */
export function layoutViolation(g: KernelGroup): string | null {
  const members = new Set(g.nodes);
  const loop = g.nodes[0].shape;
  switch (g.kind) {
    case "elementwise":
      if (!g.nodes.every(fusible)) return "non-elementwise node";
      if (!g.nodes.every((n) => sameShape(n.shape, loop))) return "nodes differ in shape";
      return null;
    case "reduction": {
      const r = g.nodes.findIndex((n) => hasTrait(defOf(n), "reduction"));
      if (r < 0 || g.nodes.filter((n) => hasTrait(defOf(n), "reduction")).length !== 1) return "not exactly one reduction";
      const red = g.nodes[r];
      const prologue = g.nodes.slice(0, r);
      const epilogue = g.nodes.slice(r + 1);
      if (!prologue.every((n) => fusible(n) && sameShape(n.shape, red.inputs[0].shape) && !g.outputs.includes(n))) return "bad prologue";
      if (!epilogue.every((n) => fusible(n) && sameShape(n.shape, red.shape))) return "bad epilogue";
      if (epilogue.some((n) => n.inputs.some((i) => prologue.includes(i)))) return "epilogue reads prologue";
      return null;
    }
    case "matmul":
      if (g.nodes[0].op !== "matmul" || g.nodes[0].inputs.some((i) => members.has(i))) return "nodes[0] is not a matmul on group inputs";
      if (!g.nodes.slice(1).every((n) => fusible(n) && sameShape(n.shape, loop))) return "bad epilogue";
      return null;
    case "conv":
      if (g.nodes[0].op !== "conv2d" || g.nodes[0].inputs.some((i) => members.has(i))) return "nodes[0] is not a conv2d on group inputs";
      if (!g.nodes.slice(1).every((n) => fusible(n) && sameShape(n.shape, loop))) return "bad epilogue";
      return null;
    default:
      return g.nodes.length === 1 ? null : "layout/opaque group with several nodes";
  }
}

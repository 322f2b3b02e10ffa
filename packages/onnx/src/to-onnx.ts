import { GraphError, Tensor, type AnyTensor, type DType, type Sizes } from "@gradfold/graph";
import { topoSort } from "@gradfold/graph/internal";
import { lowerings, elemTypeOf, type LowerContext } from "./lowerings.ts";
import { encodeModel, ElemType, type Attribute, type NodeValue, type TensorValue, type ValueInfo } from "./onnx-proto.ts";

export interface ToOnnxOptions {
  /** Trained values by param name (e.g. from `step.read(name)`); others export their initial value. */
  params?: Readonly<Record<string, ArrayLike<number>>> | ((name: string) => ArrayLike<number> | undefined);
  /** Sizes for symbolic dims that must be fixed in the model (otherwise they stay symbolic). */
  sizes?: Sizes;
  /** The ONNX graph's name. */
  name?: string;
}

const OPSET = 17;

function rawBytes(data: ArrayLike<number>, dtype: DType | "int64"): Uint8Array {
  if (dtype === "float32") return new Uint8Array(Float32Array.from(data).buffer);
  if (dtype === "int32") return new Uint8Array(Int32Array.from(data).buffer);
  if (dtype === "int64") return new Uint8Array(BigInt64Array.from(Array.from(data, (v) => BigInt(v))).buffer);
  return Uint8Array.from(data, (v) => (v ? 1 : 0));
}

/**
 * Exports an inference graph (its outputs by name) as an ONNX model (opset 17):
 * inputs become graph inputs (symbolic dims stay symbolic), params become
 * initializers holding their trained values. Returns the serialized ModelProto.
 */
export function toOnnx(outputs: Readonly<Record<string, AnyTensor>>, options: ToOnnxOptions = {}): Uint8Array {
  const entries = Object.entries(outputs);
  if (entries.length === 0) throw new GraphError("toOnnx: expected at least one named output");
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new GraphError(`toOnnx: output ${JSON.stringify(name)} is not a Tensor`);
  }
  const lookup = typeof options.params === "function" ? options.params : (name: string) => (options.params as Record<string, ArrayLike<number>> | undefined)?.[name];
  const nodes: NodeValue[] = [];
  const initializers: TensorValue[] = [];
  const inputs: ValueInfo[] = [];
  let counter = 0;
  // Internal value names carry a prefix user-chosen output names are unlikely to share.
  const fresh = (hint: string) => `gf_${counter++}_${hint}`;
  const ctx: LowerContext = {
    sizes: options.sizes ?? {},
    paramValues: lookup,
    node(opType: string, args: readonly string[], attributes?: readonly Attribute[]) {
      const out = fresh(opType);
      nodes.push({ opType, inputs: args, outputs: [out], name: `${opType}_${nodes.length}`, attributes });
      return out;
    },
    int64s(values: readonly number[]) {
      const name = fresh("const_i64");
      initializers.push({ name, elemType: ElemType.int64, dims: [values.length], raw: rawBytes(values, "int64") });
      return name;
    },
    constant(data: ArrayLike<number>, dims: readonly number[], dtype: DType) {
      const name = fresh("const");
      initializers.push({ name, elemType: elemTypeOf[dtype], dims, raw: rawBytes(data, dtype) });
      return name;
    },
    graphInput(name: string, dtype: DType, dims: readonly (number | string)[]) {
      inputs.push({ name, elemType: elemTypeOf[dtype], dims: dims.map((d) => (typeof d === "string" ? (options.sizes?.[d] ?? d) : d)) });
      return name;
    },
  };

  const names = new Map<AnyTensor, string>();
  for (const node of topoSort(entries.map(([, t]) => t))) {
    const args = node.inputs.map((t) => names.get(t)!);
    names.set(node, (lowerings[node.op] as (c: LowerContext, n: AnyTensor, a: readonly string[]) => string)(ctx, node, args));
  }
  const outputInfos: ValueInfo[] = entries.map(([name, t]) => {
    nodes.push({ opType: "Identity", inputs: [names.get(t)!], outputs: [name], name: `output_${name}` });
    return { name, elemType: elemTypeOf[t.dtype as DType], dims: (t.shape as readonly (number | string)[]).map((d) => (typeof d === "string" ? (options.sizes?.[d] ?? d) : d)) };
  });
  return encodeModel({ graphName: options.name ?? "gradfold", nodes, initializers, inputs, outputs: outputInfos, opset: OPSET });
}

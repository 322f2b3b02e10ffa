/** ONNX message encoders (field numbers from onnx/onnx.proto3). */
import { ProtoWriter } from "./protobuf.ts";

export const ElemType = { float: 1, int32: 6, int64: 7, bool: 9 } as const;
export type ElemTypeCode = (typeof ElemType)[keyof typeof ElemType];

export type Attribute = { name: string; int: number } | { name: string; float: number } | { name: string; ints: readonly number[] } | { name: string; tensor: TensorValue };

export interface TensorValue {
  name: string;
  elemType: ElemTypeCode;
  dims: readonly number[];
  raw: Uint8Array;
}

export interface NodeValue {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: readonly Attribute[];
}

export interface ValueInfo {
  name: string;
  elemType: ElemTypeCode;
  dims: readonly (number | string)[];
}

export interface ModelValue {
  graphName: string;
  nodes: readonly NodeValue[];
  initializers: readonly TensorValue[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  opset: number;
}

function writeTensor(w: ProtoWriter, t: TensorValue): void {
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, t.elemType).string(8, t.name).bytes(9, t.raw);
}

function writeAttribute(w: ProtoWriter, a: Attribute): void {
  w.string(1, a.name);
  if ("int" in a) w.int(20, 2).int(3, a.int);
  else if ("float" in a) w.int(20, 1).float(2, a.float);
  else if ("ints" in a) w.int(20, 7).packedInts(8, a.ints);
  else w.int(20, 4).message(5, (t) => writeTensor(t, a.tensor));
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, v.elemType).message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
      }),
    ),
  );
}

export function encodeModel(model: ModelValue): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8); // IR version 8 pairs with opset 17
  w.string(2, "gradfold");
  w.message(7, (g) => {
    for (const n of model.nodes) {
      g.message(1, (node) => {
        for (const i of n.inputs) node.string(1, i);
        for (const o of n.outputs) node.string(2, o);
        node.string(3, n.name).string(4, n.opType);
        for (const a of n.attributes ?? []) node.message(5, (attr) => writeAttribute(attr, a));
      });
    }
    g.string(2, model.graphName);
    for (const t of model.initializers) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of model.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of model.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => o.string(1, "").int(2, model.opset));
  return w.finish();
}

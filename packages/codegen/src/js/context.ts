import type { AnyTensor, OpKind } from "@gradfold/graph";
import type { OpParams } from "@gradfold/graph/internal";
import type { BoundShapes } from "../lower/shapes.ts";
import type { SourceBuilder } from "./builder.ts";
import type { HelperName } from "./helpers.ts";

/** A node narrowed to one op kind, so templates read typed params. */
export type NodeOf<K extends OpKind> = AnyTensor & { readonly op: K; readonly params: OpParams[K] };

/** What a kernel template can ask while it writes its function body. */
export interface KernelContext {
  readonly b: SourceBuilder;
  readonly shapes: BoundShapes;
  /** The typed-array parameter holding a node's buffer inside the kernel function. */
  ref(node: AnyTensor): string;
  /** A scalar leaf (one-element constant or size) as a number literal, else null. */
  scalar(node: AnyTensor): string | null;
  /** Requests a helper function and returns its name. */
  helper(name: HelperName): string;
  /** Whether the node's value must be written to its buffer. */
  stored(node: AnyTensor): boolean;
  /** The kernel function's name. */
  readonly name: string;
  /** Source placed before the kernel function (its helper functions). */
  readonly prelude: SourceBuilder;
  /** A context for a helper function of this kernel: own body, own buffer parameters. */
  sibling(): KernelContext;
  /** Registers a custom-op node; returns its index in the step's `customCalls`. */
  custom(node: AnyTensor): number;
  /** The nodes whose buffers this context's function takes, in order. */
  paramNodes(): readonly AnyTensor[];
}

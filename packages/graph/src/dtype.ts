export type DType = "float32" | "int32" | "bool";
export const dtypes: readonly DType[] = ["float32", "int32", "bool"];

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (dtypes as readonly string[]).includes(value);
}

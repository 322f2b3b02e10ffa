/**
 * JSON text in which non-finite numbers stay visible: JSON has no NaN or Infinity and
 * JSON.stringify would write null, which reads as "no value" rather than "the loss blew
 * up". They are written as the strings "NaN", "Infinity" and "-Infinity".
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), indent);
}

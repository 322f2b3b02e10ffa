/** A tiny source builder: lines with indentation, so generated code reads like hand-written code. */
export class SourceBuilder {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text = ""): this {
    this.lines.push(text === "" ? "" : "  ".repeat(this.depth) + text);
    return this;
  }

  /** Emits `head {`, the body one level deeper, then `}`. */
  block(head: string, body: () => void, tail = "}"): this {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.line(tail);
    return this;
  }

  /** Opens a `head {` block; pair with close(). For loop nests built in a loop. */
  open(head: string): this {
    this.line(head === "" ? "{" : `${head} {`);
    this.depth++;
    return this;
  }

  close(count = 1): this {
    for (let i = 0; i < count; i++) {
      this.depth--;
      this.line("}");
    }
    return this;
  }

  /** Appends already-built source (e.g. another builder's) at the current depth. */
  append(source: string): this {
    for (const l of source.split("\n")) this.line(l);
    return this;
  }

  toString(): string {
    return this.lines.join("\n");
  }
}

/**
 * A user-supplied string as a JS string literal. JSON is valid JS; U+2028/U+2029 are
 * escaped as well so the literal survives every consumer (and comments stay one line).
 */
export function literal(value: string): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A number as a JS literal that round-trips exactly (NaN and infinities included). */
export function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "(-0)";
  return v < 0 ? `(${String(v)})` : String(v);
}

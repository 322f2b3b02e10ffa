/** Tiny DOM helpers: the views are plain DOM, so these keep them short. */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** A labelled <select>; `onChange` gets the chosen value. */
export function choice<T extends string>(
  label: string,
  options: readonly T[],
  value: T,
  onChange?: (value: T) => void,
  id?: string,
): { root: HTMLElement; get(): T; set(v: T): void } {
  const select = el(
    "select",
    { "data-testid": id ?? label.toLowerCase().replace(/\W+/g, "-") },
    options.map((o) => el("option", { value: o, selected: o === value }, [o])),
  );
  select.addEventListener("change", () => onChange?.(select.value as T));
  return { root: el("label", {}, [`${label} `, select]), get: () => select.value as T, set: (v) => (select.value = v) };
}

/** A labelled number field (log-scale quantities like learning rates are typed, not slid). */
export function numberField(label: string, value: number, opts: { min?: number; max?: number; step?: number | "any"; id?: string } = {}): { root: HTMLElement; get(): number } {
  const field = el("input", { type: "number", value, min: opts.min, max: opts.max, step: opts.step ?? "any", "data-testid": opts.id ?? label.toLowerCase().replace(/\W+/g, "-") });
  return {
    root: el("label", {}, [`${label} `, field]),
    get() {
      const v = field.valueAsNumber;
      if (!Number.isFinite(v)) throw new Error(`${label}: expected a number, got "${field.value}"`);
      if (opts.min !== undefined && v < opts.min) throw new Error(`${label}: expected at least ${opts.min}, got ${v}`);
      if (opts.max !== undefined && v > opts.max) throw new Error(`${label}: expected at most ${opts.max}, got ${v}`);
      return v;
    },
  };
}

export function checkbox(label: string, checked: boolean, id?: string): { root: HTMLElement; get(): boolean } {
  const box = el("input", { type: "checkbox", checked, "data-testid": id ?? label.toLowerCase().replace(/\W+/g, "-") });
  return { root: el("label", {}, [box, ` ${label}`]), get: () => box.checked };
}

export function button(text: string, onClick: () => void, id?: string): HTMLButtonElement {
  const b = el("button", { type: "button", "data-testid": id ?? text.toLowerCase().replace(/\W+/g, "-") }, [text]);
  b.addEventListener("click", onClick);
  return b;
}

/** The explanation paragraph at the top of every view. */
export const explain = (text: string) => el("p", { class: "explain" }, [text]);

/**
 * A status line: `begin` starts a run (clearing `data-state`), `set` shows progress,
 * `done` marks the run finished (`data-state="done"`, what tests wait for), `fail`
 * shows an error in red.
 */
export function statusLine(id: string): { root: HTMLElement; begin(text: string): void; set(text: string): void; done(text: string): void; fail(error: unknown): void } {
  const root = el("p", { class: "status", "data-testid": id });
  const set = (text: string) => {
    root.classList.remove("error");
    root.textContent = text;
  };
  return {
    root,
    set,
    begin(text) {
      delete root.dataset.state;
      set(text);
    },
    done(text) {
      set(text);
      root.dataset.state = "done";
    },
    fail(error) {
      root.classList.add("error");
      root.textContent = error instanceof Error ? error.message : String(error);
    },
  };
}

export const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(digits)) : String(v));

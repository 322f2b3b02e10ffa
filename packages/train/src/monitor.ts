import type { EpochLog } from "./fit.ts";
import type { Snapshot } from "./snapshot.ts";

export interface EarlyStopping {
  /** "loss" (training), "val_loss", or "val_<metric>"; default "val_loss" with validation data, else "loss". */
  monitor?: string;
  /** Whether smaller is better; default "min" for names ending in "loss", else "max". */
  mode?: "min" | "max";
  /** Epochs without improvement tolerated before stopping; default 0 (stop at the first). */
  patience?: number;
  /** Smallest change that counts as an improvement; default 0. */
  minDelta?: number;
  /** Put back the params of the best epoch when training ends; default false. */
  restoreBest?: boolean;
}

export interface Monitor {
  readonly name: string;
  readonly patience: number;
  /** Records an epoch; true when training should stop. `save` is called when the epoch is the best so far and params are kept. */
  observe(log: EpochLog, save: () => Snapshot): boolean;
  best(): { epoch: number; value: number; params?: Snapshot };
}

function monitoredValue(log: EpochLog, name: string): number {
  if (name === "loss") return log.loss;
  if (name === "val_loss") return log.validation?.loss ?? Number.NaN;
  return log.validation?.metrics[name.slice("val_".length)] ?? Number.NaN;
}

/** The early-stopping rule (Keras' EarlyStopping semantics), checked against what fit will log. */
export function monitorOf(options: EarlyStopping, hasValidation: boolean, metrics: readonly string[]): Monitor {
  const name = options.monitor ?? (hasValidation ? "val_loss" : "loss");
  const known = ["loss", ...(hasValidation ? ["val_loss", ...metrics.map((m) => `val_${m}`)] : [])];
  if (!known.includes(name)) throw new Error(`fit: earlyStopping.monitor ${JSON.stringify(name)} is not logged; expected one of ${JSON.stringify(known)}`);
  const mode = options.mode ?? (name.endsWith("loss") ? "min" : "max");
  if (mode !== "min" && mode !== "max") throw new Error(`fit: earlyStopping.mode must be "min" or "max", got ${JSON.stringify(mode)}`);
  const { patience = 0, minDelta = 0, restoreBest = false } = options;
  if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`fit: earlyStopping.patience must be an integer ≥ 0, got ${patience}`);
  if (!(minDelta >= 0)) throw new RangeError(`fit: earlyStopping.minDelta must be ≥ 0, got ${minDelta}`);
  const sign = mode === "min" ? 1 : -1;
  let best: { epoch: number; value: number; params?: Snapshot } = { epoch: -1, value: Number.NaN };
  let wait = 0;
  return {
    name,
    patience,
    observe(log, save) {
      const value = monitoredValue(log, name);
      // NaN never improves; the first finite value always does.
      const improved = Number.isFinite(value) && (best.epoch < 0 || Number.isNaN(best.value) || sign * (best.value - value) > minDelta);
      if (improved) {
        best = { epoch: log.epoch, value, params: restoreBest ? save() : undefined };
        wait = 0;
        return false;
      }
      wait += 1;
      return wait >= Math.max(1, patience);
    },
    best: () => best,
  };
}

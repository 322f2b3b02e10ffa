import cliProgress from "cli-progress";
import type { EpochMetrics } from "../train/run-state.ts";

/** What the training loop tells the person watching. */
export interface Progress {
  epochStart(epoch: number, epochs: number, batches: number): void;
  batch(info: { batch: number; batches: number; loss: number; accuracy: number | null; examplesPerSecond: number }): void;
  epochEnd(metrics: EpochMetrics, epochs: number): void;
  log(line: string): void;
  stop(): void;
}

const fmt = (v: number | null, digits = 4) => (v === null ? "-" : v.toFixed(digits));
const pct = (v: number | null) => (v === null ? "-" : `${(100 * v).toFixed(2)}%`);

export function epochLine(m: EpochMetrics, epochs: number): string {
  return (
    `epoch ${m.epoch}/${epochs}  loss ${fmt(m.trainLoss)}  acc ${pct(m.trainAccuracy)}  ` +
    `val_loss ${fmt(m.valLoss)}  val_acc ${pct(m.valAccuracy)}  ${m.seconds.toFixed(1)}s  ${Math.round(m.examplesPerSecond)} ex/s`
  );
}

/** A progress bar per epoch (loss, accuracy, examples/s, ETA), for terminals. */
export function barProgress(stream: NodeJS.WriteStream = process.stdout): Progress {
  let bar: cliProgress.SingleBar | null = null;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  return {
    epochStart(epoch, epochs, batches) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `epoch ${epoch + 1}/${epochs} {bar} {percentage}% | loss {loss} | acc {acc} | {speed} ex/s | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: "-", acc: "-", speed: "-" });
    },
    batch(info) {
      bar?.update(info.batch, { loss: fmt(info.loss), acc: pct(info.accuracy), speed: Math.round(info.examplesPerSecond) });
    },
    epochEnd(metrics, epochs) {
      stopBar();
      stream.write(`${epochLine(metrics, epochs)}\n`);
    },
    log(line) {
      stopBar();
      stream.write(`${line}\n`);
    },
    stop: stopBar,
  };
}

/** Plain lines for logs and pipes: one every tenth of an epoch and one per epoch. */
export function lineProgress(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Progress {
  let epochLabel = "";
  let nextReport = 0;
  return {
    epochStart(epoch, epochs, batches) {
      epochLabel = `epoch ${epoch + 1}/${epochs}`;
      nextReport = Math.max(1, Math.ceil(batches / 10));
    },
    batch(info) {
      if (info.batch < nextReport || info.batch === info.batches) return;
      nextReport += Math.max(1, Math.ceil(info.batches / 10));
      write(`${epochLabel} batch ${info.batch}/${info.batches}  loss ${fmt(info.loss)}  acc ${pct(info.accuracy)}  ${Math.round(info.examplesPerSecond)} ex/s`);
    },
    epochEnd: (metrics, epochs) => write(epochLine(metrics, epochs)),
    log: write,
    stop() {},
  };
}

export function silentProgress(): Progress {
  return { epochStart() {}, batch() {}, epochEnd() {}, log() {}, stop() {} };
}

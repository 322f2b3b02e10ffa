import { describe, expect, it } from "vitest";
import {
  constantSchedule,
  cosineDecay,
  cosineWarmRestarts,
  exponentialDecay,
  joinSchedules,
  linearSchedule,
  linearWarmup,
  multiStepDecay,
  oneCycle,
  oneCycleMomentum,
  scheduleValues,
  stepDecay,
  warmupCosineDecay,
  type OneCycleOptions,
  type Schedule,
} from "../index.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Asserts a schedule equals `closedForm` at every step, to float64 rounding. */
function expectSchedule(schedule: Schedule, steps: readonly number[], closedForm: (t: number) => number) {
  const got = scheduleValues(schedule, steps);
  steps.forEach((t, i) => {
    const want = closedForm(t);
    expect(Math.abs(got[i] - want), `step ${t}: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want)));
  });
}

describe("schedules against their closed forms", () => {
  it("constant", () => expectSchedule(constantSchedule(0.3), [0, 1, 1e6], () => 0.3));

  it("exponential decay: init·γ^t (ExponentialLR)", () => expectSchedule(exponentialDecay({ init: 0.1, gamma: 0.97 }), range(50), (t) => 0.1 * 0.97 ** t));

  it("step decay: init·γ^⌊t/s⌋ (StepLR), far out too", () => {
    const steps = [...range(100), 29, 30, 31, 299_999, 300_000, 2 ** 24 - 1];
    expectSchedule(stepDecay({ init: 0.5, stepSize: 30, gamma: 0.5 }), steps, (t) => 0.5 * 0.5 ** Math.floor(t / 30));
  });

  it("multi-step decay: init·γ^(milestones passed) (MultiStepLR)", () => {
    const milestones = [10, 25, 60];
    expectSchedule(multiStepDecay({ init: 1, milestones, gamma: 0.1 }), range(80), (t) => 0.1 ** milestones.filter((m) => t >= m).length);
  });

  it("linear schedule, held after its end", () => {
    expectSchedule(linearSchedule({ from: 0.1, to: 0.6, steps: 20 }), range(40), (t) => 0.1 + 0.5 * Math.min(t / 20, 1));
  });

  it("cosine decay: min + ½(init − min)(1 + cos(πt/T)), held at min after T", () => {
    expectSchedule(cosineDecay({ init: 0.2, steps: 100, min: 0.01 }), range(150), (t) => 0.01 + 0.5 * 0.19 * (1 + Math.cos((Math.PI * Math.min(t, 100)) / 100)));
  });

  /** torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.step() without an epoch argument, replayed. */
  function warmRestartsReference(init: number, period: number, mult: number, min: number, n: number): number[] {
    const out: number[] = [];
    let tCur = 0;
    let tI = period;
    for (let t = 0; t < n; t++) {
      out.push(min + ((init - min) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2);
      tCur += 1;
      if (tCur >= tI) {
        tCur -= tI;
        tI *= mult;
      }
    }
    return out;
  }

  it.each([
    [1, 10],
    [2, 5],
    [3, 4],
  ])("cosine with warm restarts, mult %i, period %i (SGDR)", (mult, period) => {
    const ref = warmRestartsReference(0.1, period, mult, 0.001, 200);
    expectSchedule(cosineWarmRestarts({ init: 0.1, period, mult, min: 0.001 }), range(200), (t) => ref[t]);
  });

  it("joinSchedules restarts each piece at its boundary", () => {
    const s = joinSchedules([constantSchedule(1), exponentialDecay({ init: 0.5, gamma: 0.9 }), linearSchedule({ from: 0.2, to: 0, steps: 10 })], [5, 12]);
    expectSchedule(s, range(30), (t) => (t < 5 ? 1 : t < 12 ? 0.5 * 0.9 ** (t - 5) : 0.2 * (1 - Math.min((t - 12) / 10, 1))));
  });

  it("linear warmup then a schedule", () => {
    const s = linearWarmup({ peak: 0.4, steps: 8, after: exponentialDecay({ init: 0.4, gamma: 0.5 }) });
    expectSchedule(s, range(20), (t) => (t < 8 ? (0.4 * t) / 8 : 0.4 * 0.5 ** (t - 8)));
    expectSchedule(linearWarmup({ peak: 2, steps: 4 }), range(10), (t) => 2 * Math.min(t / 4, 1));
  });

  it("warmup then cosine decay (optax warmup_cosine_decay_schedule)", () => {
    const s = warmupCosineDecay({ peak: 1, warmupSteps: 10, totalSteps: 50, end: 0.1 });
    expectSchedule(s, range(60), (t) => (t < 10 ? t / 10 : 0.1 + 0.45 * (1 + Math.cos((Math.PI * Math.min(t - 10, 40)) / 40))));
  });

  /**
   * torch.optim.lr_scheduler.OneCycleLR.get_lr, transcribed; `key` picks the lr
   * columns (initial_lr, max_lr, min_lr) or the momentum ones (max_momentum, base_momentum).
   */
  function oneCycleReference(o: Required<OneCycleOptions>, t: number, key: "lr" | "momentum" = "lr", base = 0.85, max = 0.95): number {
    const initial = o.maxLr / o.divFactor;
    const min = initial / o.finalDivFactor;
    // The values at the phase boundaries, from PyTorch's _schedule_phases.
    const lr = o.threePhase ? [initial, o.maxLr, initial, min] : [initial, o.maxLr, min];
    const momentum = o.threePhase ? [max, base, max, max] : [max, base, max];
    const values = key === "lr" ? lr : momentum;
    const ends = o.threePhase ? [o.pctStart * o.totalSteps - 1, 2 * o.pctStart * o.totalSteps - 2, o.totalSteps - 1] : [o.pctStart * o.totalSteps - 1, o.totalSteps - 1];
    const phases = ends.map((end, i) => ({ end, from: values[i], to: values[i + 1] }));
    let start = 0;
    for (const [i, phase] of phases.entries()) {
      if (t <= phase.end || i === phases.length - 1) {
        const pct = (t - start) / (phase.end - start);
        return o.anneal === "cos" ? phase.to + ((phase.from - phase.to) / 2) * (Math.cos(Math.PI * pct) + 1) : (phase.to - phase.from) * pct + phase.from;
      }
      start = phase.end;
    }
    throw new Error("unreachable");
  }

  it.each([
    { anneal: "cos", threePhase: false },
    { anneal: "linear", threePhase: false },
    { anneal: "cos", threePhase: true },
    { anneal: "linear", threePhase: true },
  ] as const)("one-cycle (OneCycleLR) %o", ({ anneal, threePhase }) => {
    const o = { maxLr: 0.8, totalSteps: 100, pctStart: 0.25, divFactor: 20, finalDivFactor: 1e3, anneal, threePhase };
    expectSchedule(oneCycle(o), range(100), (t) => oneCycleReference(o, t));
    // Held at the final value after totalSteps, where PyTorch would raise.
    expect(scheduleValues(oneCycle(o), [150])[0]).toBeCloseTo(0.8 / 20 / 1e3, 15);
    // cycle_momentum: the inverse cycle between max_momentum and base_momentum.
    const m = oneCycleMomentum({ totalSteps: 100, pctStart: 0.25, anneal, threePhase, baseMomentum: 0.8, maxMomentum: 0.9 });
    expectSchedule(m, range(100), (t) => oneCycleReference(o, t, "momentum", 0.8, 0.9));
  });
});

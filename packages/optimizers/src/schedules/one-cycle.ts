import { GraphError } from "@gradfold/graph";
import { add, asScalar, div, greaterEqual, mul, sub, where } from "../math.ts";
import type { Scalar, Schedule } from "../types.ts";
import { cosineAnneal } from "./cosine.ts";
import { clamp } from "./scalar-math.ts";

interface CycleShape {
  totalSteps: number;
  /** Share of the steps spent in the first phase. Default 0.3. */
  pctStart?: number;
  /** Shape of each phase. Default "cos". */
  anneal?: "cos" | "linear";
  /** Three phases instead of two (fast.ai's variant). Default false. */
  threePhase?: boolean;
}

export interface OneCycleOptions extends CycleShape {
  maxLr: number;
  /** Start at maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** End at maxLr / (divFactor · finalDivFactor). Default 1e4. */
  finalDivFactor?: number;
}

export interface OneCycleMomentumOptions extends CycleShape {
  /** Momentum (or Adam's beta1) at the learning rate's peak. Default 0.85. */
  baseMomentum?: number;
  /** Momentum at the start and end. Default 0.95. */
  maxMomentum?: number;
}

interface Phase {
  end: number;
  from: number;
  to: number;
}

/** PyTorch OneCycleLR's phase ends: pctStart·total − 1, (2·pctStart·total − 2,) total − 1. */
function phaseEnds(o: CycleShape): number[] {
  const { totalSteps, pctStart = 0.3, threePhase = false } = o;
  if (!(totalSteps > 1)) throw new GraphError(`oneCycle: totalSteps must be > 1, got ${totalSteps}`);
  if (!(pctStart > 0 && pctStart < 1)) throw new GraphError(`oneCycle: pctStart must be in (0, 1), got ${pctStart}`);
  const rise = pctStart * totalSteps - 1;
  return threePhase ? [rise, 2 * pctStart * totalSteps - 2, totalSteps - 1] : [rise, totalSteps - 1];
}

/**
 * Piecewise annealing between phase values, as OneCycleLR.get_lr computes it: in the
 * phase containing t (the last phase past its end), p = (t − start)/(end − start).
 * Built from the last phase backwards, each earlier phase taking over where t ≤ its end.
 */
function phased(phases: readonly Phase[], anneal: "cos" | "linear"): Schedule {
  const curve = (ph: Phase, start: number, t: Scalar): Scalar => {
    const p = clamp(asScalar(div(sub(t, start), ph.end - start)), 0, 1);
    return anneal === "cos" ? cosineAnneal(ph.from, ph.to, p) : asScalar(add(mul(p, ph.to - ph.from), ph.from));
  };
  const startOf = (i: number) => (i === 0 ? 0 : phases[i - 1].end);
  return (t) => {
    const lastIndex = phases.length - 1;
    let value = curve(phases[lastIndex], startOf(lastIndex), t);
    for (let i = lastIndex - 1; i >= 0; i--) value = asScalar(where(greaterEqual(phases[i].end, t), curve(phases[i], startOf(i), t), value));
    return value;
  };
}

/**
 * The one-cycle learning rate (Smith & Topin 2019, "Super-Convergence"), following
 * torch.optim.lr_scheduler.OneCycleLR's phase boundaries and annealing formulas
 * exactly: maxLr/divFactor rising to maxLr, then falling to maxLr/(divFactor·finalDivFactor)
 * (three-phase: back to the start value first). Steps past totalSteps hold the final
 * value where PyTorch raises.
 */
export function oneCycle(o: OneCycleOptions): Schedule {
  const { maxLr, divFactor = 25, finalDivFactor = 1e4, anneal = "cos", threePhase = false } = o;
  const initial = maxLr / divFactor;
  const final = initial / finalDivFactor;
  const ends = phaseEnds(o);
  const values = threePhase ? [initial, maxLr, initial, final] : [initial, maxLr, final];
  return phased(
    ends.map((end, i) => ({ end, from: values[i], to: values[i + 1] })),
    anneal,
  );
}

/**
 * OneCycleLR's momentum cycle (`cycle_momentum`), inverse to the learning rate:
 * maxMomentum falling to baseMomentum while the rate rises, then back. Pass it as
 * `momentum` (SGD) or `beta1` (Adam), with the same shape options as `oneCycle`.
 */
export function oneCycleMomentum(o: OneCycleMomentumOptions): Schedule {
  const { baseMomentum = 0.85, maxMomentum = 0.95, anneal = "cos", threePhase = false } = o;
  const ends = phaseEnds(o);
  const values = threePhase ? [maxMomentum, baseMomentum, maxMomentum, maxMomentum] : [maxMomentum, baseMomentum, maxMomentum];
  return phased(
    ends.map((end, i) => ({ end, from: values[i], to: values[i + 1] })),
    anneal,
  );
}

/**
 * Independent float64 references for the optimizers, written from the update
 * formulas in PyTorch's torch.optim documentation (and the Lion paper) as plain
 * loops over Float64Arrays. They share no code with the graph implementation.
 */

/** Mutates `params` in place given the gradients of one step; `t` counts from 1. */
export type RefStep = (params: Float64Array[], grads: Float64Array[], t: number) => void;

/** A learning rate: fixed, or a function of the number of steps already taken (0 on the first). */
export type Rate = number | ((stepsTaken: number) => number);
const rateAt = (lr: Rate, t: number) => (typeof lr === "number" ? lr : lr(t - 1));

/** Per-param state arrays, created lazily with the param's length. */
function slots(init = 0) {
  const store = new Map<number, Float64Array>();
  return (i: number, n: number) => {
    let s = store.get(i);
    if (!s) {
      s = new Float64Array(n).fill(init);
      store.set(i, s);
    }
    return s;
  };
}

export function refSgd(o: { lr: Rate; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }): RefStep {
  const { lr: rate, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = o;
  const buf = slots();
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    params.forEach((p, i) => {
      const b = buf(i, p.length);
      for (let j = 0; j < p.length; j++) {
        let g = maximize ? -grads[i][j] : grads[i][j];
        if (weightDecay !== 0) g += weightDecay * p[j];
        if (momentum !== 0) {
          b[j] = t > 1 ? momentum * b[j] + (1 - dampening) * g : g;
          g = nesterov ? g + momentum * b[j] : b[j];
        }
        p[j] -= lr * g;
      }
    });
  };
}

export function refAdagrad(o: { lr: Rate; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number }): RefStep {
  const { lr: rate, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = o;
  const sum = slots(initialAccumulatorValue);
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    const clr = lr / (1 + (t - 1) * lrDecay);
    params.forEach((p, i) => {
      const s = sum(i, p.length);
      for (let j = 0; j < p.length; j++) {
        const g = grads[i][j] + weightDecay * p[j];
        s[j] += g * g;
        p[j] -= (clr * g) / (Math.sqrt(s[j]) + eps);
      }
    });
  };
}

export function refRmsprop(o: { lr: Rate; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean }): RefStep {
  const { lr: rate, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = o;
  const sq = slots();
  const avg = slots();
  const buf = slots();
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    params.forEach((p, i) => {
      const v = sq(i, p.length);
      const ga = avg(i, p.length);
      const b = buf(i, p.length);
      for (let j = 0; j < p.length; j++) {
        const g = grads[i][j] + weightDecay * p[j];
        v[j] = alpha * v[j] + (1 - alpha) * g * g;
        let vt = v[j];
        if (centered) {
          ga[j] = alpha * ga[j] + (1 - alpha) * g;
          vt -= ga[j] * ga[j];
        }
        if (momentum > 0) {
          b[j] = momentum * b[j] + g / (Math.sqrt(vt) + eps);
          p[j] -= lr * b[j];
        } else {
          p[j] -= (lr * g) / (Math.sqrt(vt) + eps);
        }
      }
    });
  };
}

export function refAdadelta(o: { lr?: Rate; rho?: number; eps?: number; weightDecay?: number }): RefStep {
  const { lr: rate = 1, rho = 0.9, eps = 1e-6, weightDecay = 0 } = o;
  const sq = slots();
  const acc = slots();
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    params.forEach((p, i) => {
      const v = sq(i, p.length);
      const u = acc(i, p.length);
      for (let j = 0; j < p.length; j++) {
        const g = grads[i][j] + weightDecay * p[j];
        v[j] = rho * v[j] + (1 - rho) * g * g;
        const dx = (Math.sqrt(u[j] + eps) / Math.sqrt(v[j] + eps)) * g;
        u[j] = rho * u[j] + (1 - rho) * dx * dx;
        p[j] -= lr * dx;
      }
    });
  };
}

/** `beta1` may vary by step (OneCycleLR cycles it); PyTorch then uses the current β₁ in 1 − β₁ᵗ. */
export function refAdam(o: { lr: Rate; beta1?: Rate; beta2?: number; eps?: number; weightDecay?: number; amsgrad?: boolean; decoupled?: boolean; maximize?: boolean }): RefStep {
  const { lr: rate, beta1: beta1Rate = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, amsgrad = false, decoupled = false, maximize = false } = o;
  const ms = slots();
  const vs = slots();
  const vmaxs = slots();
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    const beta1 = rateAt(beta1Rate, t);
    params.forEach((p, i) => {
      const m = ms(i, p.length);
      const v = vs(i, p.length);
      const vmax = vmaxs(i, p.length);
      for (let j = 0; j < p.length; j++) {
        let g = maximize ? -grads[i][j] : grads[i][j];
        if (decoupled) p[j] *= 1 - lr * weightDecay;
        else g += weightDecay * p[j];
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        const mhat = m[j] / (1 - beta1 ** t);
        let vhat: number;
        if (amsgrad) {
          vmax[j] = Math.max(vmax[j], v[j]);
          vhat = vmax[j] / (1 - beta2 ** t);
        } else {
          vhat = v[j] / (1 - beta2 ** t);
        }
        p[j] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
      }
    });
  };
}

export function refAdamax(o: { lr: Rate; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }): RefStep {
  const { lr: rate, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = o;
  const ms = slots();
  const us = slots();
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    params.forEach((p, i) => {
      const m = ms(i, p.length);
      const u = us(i, p.length);
      for (let j = 0; j < p.length; j++) {
        const g = grads[i][j] + weightDecay * p[j];
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        u[j] = Math.max(beta2 * u[j], Math.abs(g) + eps);
        p[j] -= (lr * m[j]) / ((1 - beta1 ** t) * u[j]);
      }
    });
  };
}

export function refNadam(o: { lr: Rate; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; momentumDecay?: number; decoupled?: boolean }): RefStep {
  const { lr: rate, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3, decoupled = false } = o;
  const ms = slots();
  const vs = slots();
  let muProduct = 1;
  let lastT = 0;
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    if (t !== lastT) {
      muProduct *= mu;
      lastT = t;
    }
    params.forEach((p, i) => {
      const m = ms(i, p.length);
      const v = vs(i, p.length);
      for (let j = 0; j < p.length; j++) {
        let g = grads[i][j];
        if (decoupled) p[j] *= 1 - lr * weightDecay;
        else g += weightDecay * p[j];
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        const mhat = (muNext * m[j]) / (1 - muProduct * muNext) + ((1 - mu) * g) / (1 - muProduct);
        const vhat = v[j] / (1 - beta2 ** t);
        p[j] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
      }
    });
  };
}

export function refLion(o: { lr: Rate; beta1?: number; beta2?: number; weightDecay?: number }): RefStep {
  const { lr: rate, beta1 = 0.9, beta2 = 0.99, weightDecay = 0 } = o;
  const ms = slots();
  return (params, grads, t) => {
    const lr = rateAt(rate, t);
    params.forEach((p, i) => {
      const m = ms(i, p.length);
      for (let j = 0; j < p.length; j++) {
        const g = grads[i][j];
        const c = beta1 * m[j] + (1 - beta1) * g;
        p[j] -= lr * (Math.sign(c) + weightDecay * p[j]);
        m[j] = beta2 * m[j] + (1 - beta2) * g;
      }
    });
  };
}

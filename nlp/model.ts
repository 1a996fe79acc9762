/**
 * The linear intent model: a multi-class linear SVM (Crammer-Singer hinge loss; softmax cross-entropy is the
 * alternative) over hashed, TF-IDF weighted, L2-normalised sparse features, trained by seeded AdaGrad SGD,
 * plus a small-weighted softmax "companion" model summed into the same weights (an ensemble at no cost per
 * query, since a sum of linear models is one linear model).
 * After training, small weights are pruned and the rest quantised to 8 bits in a CSR matrix keyed by hashed
 * bucket, so the stored model is a few MB even for 150 intents and loads by decoding one base64 string.
 *
 * Why not natural's classifiers: its BayesClassifier tops out near 81% on CLINC150 and costs milliseconds per
 * query (it walks the vocabulary), and its LogisticRegressionClassifier is dense full-batch gradient descent
 * that does not finish on 15k utterances. Pure: no I/O.
 */
import { defaultFeatureOptions, type FeatureOptions, hashedFeatures, type SparseVector } from "./features";

// Module-level aliases: hot loops below; under jest's sandboxed global every `Math.x` lookup costs ~1 us.
const { abs, exp, imul, log, max, min, round, sqrt } = Math;

/** Training knobs; the defaults are what docs/benchmarks.md uses. */
export interface TrainOptions {
  features: FeatureOptions;
  /** `hinge`: multi-class linear SVM (best accuracy here); `softmax`: multinomial logistic regression. */
  loss: "hinge" | "softmax";
  /** Passes over the data. */
  epochs: number;
  /** AdaGrad base learning rate. */
  learningRate: number;
  /** L2 penalty, applied lazily to the weights an example touches. */
  l2: number;
  /** Weights whose magnitude is below this share of the largest weight are not stored. */
  prune: number;
  /**
   * A second model trained under the other loss (seed + 1) whose weights are added, times `weight`, to the
   * main model's: still one linear model, so classifying costs the same. Hinge and softmax make different
   * mistakes; the sum beat either alone on the CLINC150 and HWU64 validation data (docs/nlp.md, "Tuning").
   * `learningRate` and `epochs` override the main ones for the companion. Absent or weight 0: no companion.
   */
  companion?: CompanionOptions;
  /** Seed of the shuffling PRNG: the same data, options and seed give the same model, byte for byte. */
  seed: number;
}

/** The companion model of {@link TrainOptions.companion}. */
export interface CompanionOptions {
  /** Scale of the companion's weights in the sum (softmax logits run larger than hinge scores). */
  weight: number;
  /** Default: the loss the main model does not use. */
  loss?: TrainOptions["loss"];
  learningRate?: number;
  epochs?: number;
  /**
   * Softmax only: classes whose gradient is below this are not updated for an example. 0.01 (against
   * 0.001 for a main softmax model) trains ~2x faster and keeps the companion's weights sparse (a 3x
   * smaller model) at no measured loss.
   */
  minGradient?: number;
  /** Companion weights below this share of its largest are dropped before the sum (keeps the model small). */
  prune?: number;
}

/** Defaults tuned on the CLINC150 validation split (see docs/nlp.md, "Tuning"). */
export const defaultTrainOptions: TrainOptions = {
  features: defaultFeatureOptions,
  loss: "hinge",
  epochs: 12,
  learningRate: 0.03,
  l2: 1e-5,
  prune: 0.02,
  companion: { weight: 0.15, learningRate: 0.2, epochs: 6, minGradient: 0.01, prune: 0.05 },
  seed: 1,
};

/** One training example: text, class index, and the language hint the features use (stemming). */
export interface TrainingExample {
  text: string;
  label: number;
  language?: string;
}

/**
 * A trained model: a CSR matrix whose rows are the hashed buckets seen in training. `buckets` is sorted, so
 * lookup is a binary search and loading builds no hash table. Weights are int8 times `weightScale`.
 */
export interface LinearModel {
  labels: string[];
  features: FeatureOptions;
  /** Sorted hashed buckets seen in training. */
  buckets: Uint32Array;
  /** Inverse document frequency per bucket, as a byte: idf = idfCode * unknownIdf / 255. */
  idfCodes: Uint8Array;
  /** IDF of buckets never seen in training (the largest: unknown words weigh the most). */
  unknownIdf: number;
  /** Row i holds the classes cols[rowStart[i]..rowStart[i+1]). */
  rowStart: Uint32Array;
  /** Class of each stored weight: bytes up to 256 classes. */
  cols: Uint8Array | Uint16Array;
  weights: Int8Array;
  weightScale: number;
  bias: Float32Array;
  /** Open-addressing table bucket -> row + 1 (0 = empty), built by {@link indexRows}: O(1) lookups. */
  slots: Int32Array;
}

/**
 * Builds the bucket -> row table (~2 slots per row). Buckets are already hash bits, so the low bits are a
 * good slot; linear probing resolves clashes. Takes ~1 ms per 50k rows.
 */
export function indexRows(buckets: Uint32Array): Int32Array {
  let size = 16;
  while (size < buckets.length * 2) size *= 2;
  const slots = new Int32Array(size);
  const mask = size - 1;
  for (let row = 0; row < buckets.length; row++) {
    let slot = (buckets[row] as number) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = row + 1;
  }
  return slots;
}

function findRow(buckets: Uint32Array, slots: Int32Array, bucket: number): number {
  const mask = slots.length - 1;
  let slot = bucket & mask;
  for (;;) {
    const entry = slots[slot] as number;
    if (entry === 0) return -1;
    if (buckets[entry - 1] === bucket) return entry - 1;
    slot = (slot + 1) & mask;
  }
}

/** Raw scores (logits) of one utterance and how much of it the model knows. */
export interface Scores {
  logits: Float32Array;
  /** Features of the input seen in training; 0 means the input is made only of unknown words. */
  knownFeatures: number;
  totalFeatures: number;
  /**
   * Share (0-1) of the input vector's squared weight that falls on known features. Gibberish still shares
   * a few common character bigrams with the training data, but they carry little weight: coverage stays low.
   */
  coverage: number;
}

/** Thrown when training cannot start; the message says what to add or fix. */
export class ModelTrainingError extends Error {
  constructor(message: string) {
    super(`Cannot train the intent model: ${message}`);
    this.name = "ModelTrainingError";
  }
}

/** Thrown when a stored model cannot be decoded; retrain it with `npm run nlp:train`. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(`Cannot load the intent model: ${message}. Rebuild it with \`npm run nlp:train\`.`);
    this.name = "ModelFormatError";
  }
}

/** Mulberry32: a tiny seeded PRNG so training (shuffling, folds) is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle with a seeded PRNG, in place; returns the array. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Numerically stable softmax of `logits / temperature`. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) top = max(top, (logits[i] as number) / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = exp((logits[i] as number) / temperature - top);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

function normalizeInPlace(values: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] as number) ** 2;
  if (sum === 0) return;
  const scale = 1 / sqrt(sum);
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * scale;
}

/** The model's normalised input vector: rows (-1 = unknown bucket) and values. */
function vectorize(
  vector: SparseVector,
  buckets: Uint32Array,
  slots: Int32Array,
  idfOf: (row: number) => number,
  unknownIdf: number,
) {
  const rows = new Int32Array(vector.indices.length);
  const values = new Float32Array(vector.values.length);
  let known = 0;
  for (let k = 0; k < rows.length; k++) {
    const row = findRow(buckets, slots, vector.indices[k] as number);
    rows[k] = row;
    if (row >= 0) known++;
    values[k] = (vector.values[k] as number) * (row >= 0 ? idfOf(row) : unknownIdf);
  }
  normalizeInPlace(values);
  let coverage = 0;
  for (let k = 0; k < rows.length; k++) if ((rows[k] as number) >= 0) coverage += (values[k] as number) ** 2;
  return { rows, values, known, coverage };
}

/**
 * scores = bias + W x over the rows of one example (W is row-major, `classes` wide). The hot loop of
 * training: four rows at a time, four classes per step, which V8 runs ~3x faster than the plain double loop
 * (fewer loads and stores of `scores`, fewer bounds checks). The summation order is fixed: deterministic.
 */
function scoreRows(
  weights: Float32Array,
  classes: number,
  rows: Int32Array,
  values: Float32Array,
  bias: Float32Array,
  scores: Float64Array,
): void {
  for (let c = 0; c < classes; c++) scores[c] = bias[c] as number;
  const wide = classes & ~3;
  let k = 0;
  for (; k + 3 < rows.length; k += 4) {
    const a = (rows[k] as number) * classes;
    const b = (rows[k + 1] as number) * classes;
    const d = (rows[k + 2] as number) * classes;
    const e = (rows[k + 3] as number) * classes;
    const x = values[k] as number;
    const y = values[k + 1] as number;
    const z = values[k + 2] as number;
    const u = values[k + 3] as number;
    let c = 0;
    for (; c < wide; c += 4) {
      scores[c] =
        (scores[c] as number) +
        (weights[a + c] as number) * x +
        (weights[b + c] as number) * y +
        (weights[d + c] as number) * z +
        (weights[e + c] as number) * u;
      scores[c + 1] =
        (scores[c + 1] as number) +
        (weights[a + c + 1] as number) * x +
        (weights[b + c + 1] as number) * y +
        (weights[d + c + 1] as number) * z +
        (weights[e + c + 1] as number) * u;
      scores[c + 2] =
        (scores[c + 2] as number) +
        (weights[a + c + 2] as number) * x +
        (weights[b + c + 2] as number) * y +
        (weights[d + c + 2] as number) * z +
        (weights[e + c + 2] as number) * u;
      scores[c + 3] =
        (scores[c + 3] as number) +
        (weights[a + c + 3] as number) * x +
        (weights[b + c + 3] as number) * y +
        (weights[d + c + 3] as number) * z +
        (weights[e + c + 3] as number) * u;
    }
    for (; c < classes; c++)
      scores[c] =
        (scores[c] as number) +
        (weights[a + c] as number) * x +
        (weights[b + c] as number) * y +
        (weights[d + c] as number) * z +
        (weights[e + c] as number) * u;
  }
  for (; k < rows.length; k++) {
    const base = (rows[k] as number) * classes;
    const v = values[k] as number;
    for (let c = 0; c < classes; c++) scores[c] = (scores[c] as number) + (weights[base + c] as number) * v;
  }
}

/** One training example as the SGD sees it: rows of the model and IDF-weighted, normalised values. */
interface VectorExample {
  rows: Int32Array;
  values: Float32Array;
  label: number;
}

/**
 * AdaGrad SGD over `epochs` seeded shuffles of `data`. Hinge: update the true class and its strongest rival
 * when the margin is below 1. Softmax: update every class whose gradient is not negligible. Returns dense
 * row-major weights (rows x classes) and biases.
 */
function fitWeights(
  data: VectorExample[],
  rowCount: number,
  classes: number,
  loss: TrainOptions["loss"],
  opts: Pick<TrainOptions, "epochs" | "learningRate" | "l2"> & { minGradient?: number },
  seed: number,
): { weights: Float32Array; bias: Float32Array } {
  const minGradient = opts.minGradient ?? 1e-3;
  const weights = new Float32Array(rowCount * classes);
  const squares = new Float32Array(rowCount * classes);
  const bias = new Float32Array(classes);
  const biasSquares = new Float32Array(classes);
  const scores = new Float64Array(classes);
  const random = seededRandom(seed);
  const order = data.map((_, i) => i);
  const { learningRate, l2 } = opts;
  const update = (rows: Int32Array, values: Float32Array, c: number, g: number) => {
    biasSquares[c] = (biasSquares[c] as number) + g * g;
    bias[c] = (bias[c] as number) - (learningRate * g) / sqrt((biasSquares[c] as number) + 1e-8);
    for (let k = 0; k < rows.length; k++) {
      const at = (rows[k] as number) * classes + c;
      const w = weights[at] as number;
      const grad = g * (values[k] as number) + l2 * w;
      const s = (squares[at] as number) + grad * grad;
      squares[at] = s;
      weights[at] = w - (learningRate * grad) / sqrt(s + 1e-8);
    }
  };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const i of order) {
      const { rows, values, label } = data[i] as VectorExample;
      scoreRows(weights, classes, rows, values, bias, scores);
      if (loss === "hinge") {
        let rival = label === 0 ? 1 : 0;
        for (let c = 0; c < classes; c++)
          if (c !== label && (scores[c] as number) > (scores[rival] as number)) rival = c;
        if ((scores[label] as number) - (scores[rival] as number) < 1) {
          update(rows, values, label, -1);
          update(rows, values, rival, 1);
        }
      } else {
        const probabilities = softmax(scores);
        for (let c = 0; c < classes; c++) {
          const g = (probabilities[c] as number) - (c === label ? 1 : 0);
          if (abs(g) >= minGradient) update(rows, values, c, g);
        }
      }
    }
  }
  return { weights, bias };
}

/**
 * Trains a model on labelled examples; `labels[i]` names class i. Deterministic for a given seed.
 * @throws ModelTrainingError when there is nothing to learn from or a label index is out of range.
 */
export function trainLinearModel(
  examples: TrainingExample[],
  labels: string[],
  options: Partial<TrainOptions> = {},
): LinearModel {
  const opts: TrainOptions = { ...defaultTrainOptions, ...options };
  if (examples.length === 0 || labels.length < 2)
    throw new ModelTrainingError(
      `need examples of at least two intents, got ${examples.length} examples and ${labels.length} intents; add example utterances`,
    );
  for (const example of examples)
    if (!Number.isInteger(example.label) || example.label < 0 || example.label >= labels.length)
      throw new ModelTrainingError(
        `example "${example.text}" has class index ${example.label}, outside 0..${labels.length - 1}`,
      );

  // 1. Hash every example; the buckets seen, with document frequencies, become the model's rows.
  const hashed = examples.map((example) => hashedFeatures(example.text, example.language, opts.features));
  const df = new Map<number, number>();
  for (const vector of hashed) for (const bucket of vector.indices) df.set(bucket, (df.get(bucket) ?? 0) + 1);
  const buckets = Uint32Array.from(df.keys()).sort();
  const slots = indexRows(buckets);
  const n = examples.length;
  const unknownIdf = log(n + 1) + 1;
  // IDF is stored as a byte; train with the quantised value so training and serving see the same vectors.
  const idfCodes = new Uint8Array(buckets.length);
  buckets.forEach((bucket, i) => {
    const idf = log((n + 1) / ((df.get(bucket) as number) + 1)) + 1;
    idfCodes[i] = max(1, round((idf / unknownIdf) * 255));
  });
  const idfOf = (row: number) => ((idfCodes[row] as number) * unknownIdf) / 255;

  // 2. IDF-weighted, normalised training vectors over row indices.
  const data: VectorExample[] = examples.map((example, i) => {
    const { rows, values } = vectorize(hashed[i] as SparseVector, buckets, slots, idfOf, unknownIdf);
    return { rows, values, label: example.label };
  });

  // 3. AdaGrad SGD; with a companion, a second model under the other loss, added with its weight.
  const classes = labels.length;
  const { weights, bias } = fitWeights(data, buckets.length, classes, opts.loss, opts, opts.seed);
  const companion = opts.companion;
  if (companion && companion.weight > 0) {
    const loss = companion.loss ?? (opts.loss === "hinge" ? "softmax" : "hinge");
    const other = fitWeights(data, buckets.length, classes, loss, { ...opts, ...companion }, opts.seed + 1);
    let largest = 0;
    for (const w of other.weights) largest = max(largest, abs(w));
    const cutoff = largest * (companion.prune ?? 0);
    for (let at = 0; at < weights.length; at++) {
      const w = other.weights[at] as number;
      if (abs(w) >= cutoff) weights[at] = (weights[at] as number) + companion.weight * w;
    }
    for (let c = 0; c < classes; c++)
      bias[c] = (bias[c] as number) + companion.weight * (other.bias[c] as number);
  }

  // 4. Prune and quantise into CSR.
  let largest = 0;
  for (const w of weights) largest = max(largest, abs(w));
  const weightScale = largest > 0 ? largest / 127 : 1;
  const cutoff = max(largest * opts.prune, weightScale / 2);
  const rowStart = new Uint32Array(buckets.length + 1);
  let nonZero = 0;
  for (let j = 0; j < buckets.length; j++) {
    for (let c = 0; c < classes; c++) if (abs(weights[j * classes + c] as number) >= cutoff) nonZero++;
    rowStart[j + 1] = nonZero;
  }
  const cols = classes > 256 ? new Uint16Array(nonZero) : new Uint8Array(nonZero);
  const codes = new Int8Array(nonZero);
  let at = 0;
  for (let j = 0; j < buckets.length; j++)
    for (let c = 0; c < classes; c++) {
      const w = weights[j * classes + c] as number;
      if (abs(w) < cutoff) continue;
      cols[at] = c;
      codes[at] = max(-127, min(127, round(w / weightScale)));
      at++;
    }
  return {
    labels: [...labels],
    features: { ...opts.features },
    buckets,
    idfCodes,
    unknownIdf,
    rowStart,
    cols,
    weights: codes,
    weightScale,
    bias,
    slots,
  };
}

/** Scores one utterance: logits per class (bias + w.x) and how much of the input the model recognises. */
export function scoreText(model: LinearModel, text: string, language?: string): Scores {
  const idfOf = (row: number) => ((model.idfCodes[row] as number) * model.unknownIdf) / 255;
  const { rows, values, known, coverage } = vectorize(
    hashedFeatures(text, language, model.features),
    model.buckets,
    model.slots,
    idfOf,
    model.unknownIdf,
  );
  const { rowStart, cols, weights, weightScale } = model;
  const sums = new Float64Array(model.bias.length);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k] as number;
    if (row < 0) continue;
    const v = (values[k] as number) * weightScale;
    const end = rowStart[row + 1] as number;
    for (let at = rowStart[row] as number; at < end; at++) {
      const c = cols[at] as number;
      sums[c] = (sums[c] as number) + (weights[at] as number) * v;
    }
  }
  const logits = new Float32Array(sums.length);
  for (let c = 0; c < sums.length; c++) logits[c] = (sums[c] as number) + (model.bias[c] as number);
  return { logits, knownFeatures: known, totalFeatures: rows.length, coverage };
}

/** The JSON-safe form of a {@link LinearModel}: small metadata plus one base64 blob of typed arrays. */
export interface EncodedLinearModel {
  labels: string[];
  features: FeatureOptions;
  unknownIdf: number;
  weightScale: number;
  rows: number;
  nonZero: number;
  /**
   * base64 of little-endian sections, each aligned for a zero-copy typed-array view: buckets (u32 x rows),
   * rowStart (u32 x rows+1), bias (f32 x classes), cols (u8, or u16 past 256 classes, x nonZero),
   * idf codes (u8 x rows), weights (i8 x nonZero).
   */
  data: string;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function layout(rows: number, nonZero: number, classes: number) {
  const colBytes = classes > 256 ? 2 : 1;
  const buckets = 0;
  const rowStart = buckets + rows * 4;
  const bias = rowStart + (rows + 1) * 4;
  const cols = bias + classes * 4;
  const idf = cols + nonZero * colBytes;
  const weights = idf + rows;
  return { buckets, rowStart, bias, cols, colBytes, idf, weights, size: weights + nonZero };
}

/** Bytes of a model's encoded weights in the model file (base64 of the binary layout). */
export function encodedWeightBytes(model: LinearModel): number {
  return Math.ceil(layout(model.buckets.length, model.weights.length, model.labels.length).size / 3) * 4;
}

/**
 * Drops the smallest stored weights (raising the quantised magnitude a weight needs, one step at a time)
 * until the encoded weights fit in `maxBytes`: a content pack with many intents keeps its model file under
 * a size budget, while a small pack keeps every weight. Rows stay (their IDF still counts in coverage).
 */
export function pruneToBudget(model: LinearModel, maxBytes: number): LinearModel {
  let current = model;
  for (let minCode = 2; encodedWeightBytes(current) > maxBytes && minCode <= 127; minCode++) {
    const { rowStart, cols, weights } = model;
    const keep: number[] = [];
    const starts = new Uint32Array(rowStart.length);
    for (let r = 0; r + 1 < rowStart.length; r++) {
      for (let k = rowStart[r] as number; k < (rowStart[r + 1] as number); k++)
        if (abs(weights[k] as number) >= minCode) keep.push(k);
      starts[r + 1] = keep.length;
    }
    const newCols = cols instanceof Uint16Array ? new Uint16Array(keep.length) : new Uint8Array(keep.length);
    const newWeights = new Int8Array(keep.length);
    keep.forEach((k, i) => {
      newCols[i] = cols[k] as number;
      newWeights[i] = weights[k] as number;
    });
    current = { ...model, rowStart: starts, cols: newCols, weights: newWeights };
  }
  return current;
}

/** Encodes a model for a JSON file: ~2-3 bytes per stored weight plus 9 per row, before base64. */
export function encodeLinearModel(model: LinearModel): EncodedLinearModel {
  if (!littleEndian) throw new ModelFormatError("model files are little-endian and this machine is not");
  const rows = model.buckets.length;
  const nonZero = model.weights.length;
  const at = layout(rows, nonZero, model.labels.length);
  const bytes = new Uint8Array(at.size);
  const buffer = bytes.buffer;
  new Uint32Array(buffer, at.buckets, rows).set(model.buckets);
  new Uint32Array(buffer, at.rowStart, rows + 1).set(model.rowStart);
  new Float32Array(buffer, at.bias, model.labels.length).set(model.bias);
  if (at.colBytes === 2) new Uint16Array(buffer, at.cols, nonZero).set(model.cols);
  else bytes.set(model.cols, at.cols);
  bytes.set(model.idfCodes, at.idf);
  new Int8Array(buffer, at.weights, nonZero).set(model.weights);
  return {
    labels: model.labels,
    features: model.features,
    unknownIdf: model.unknownIdf,
    weightScale: model.weightScale,
    rows,
    nonZero,
    data: Buffer.from(bytes).toString("base64"),
  };
}

/**
 * Decodes {@link encodeLinearModel}'s output: one base64 decode, one copy into aligned memory, then views
 * (no per-weight loop, which matters at cold start when code still runs in the interpreter).
 * @throws ModelFormatError when the blob does not match its declared sizes.
 */
export function decodeLinearModel(encoded: EncodedLinearModel): LinearModel {
  if (!littleEndian) throw new ModelFormatError("model files are little-endian and this machine is not");
  const { rows, nonZero, labels } = encoded;
  const decoded = Buffer.from(encoded.data, "base64");
  const at = layout(rows, nonZero, labels.length);
  if (decoded.length !== at.size)
    throw new ModelFormatError(`the weight blob has ${decoded.length} bytes, expected ${at.size}`);
  const bytes = new Uint8Array(at.size);
  bytes.set(decoded);
  const buffer = bytes.buffer;
  const buckets = new Uint32Array(buffer, at.buckets, rows);
  const rowStart = new Uint32Array(buffer, at.rowStart, rows + 1);
  if (rowStart[rows] !== nonZero) throw new ModelFormatError("row offsets do not add up to the weight count");
  return {
    labels: [...labels],
    features: { ...encoded.features },
    buckets,
    idfCodes: new Uint8Array(buffer, at.idf, rows),
    unknownIdf: encoded.unknownIdf,
    rowStart,
    cols:
      at.colBytes === 2
        ? new Uint16Array(buffer, at.cols, nonZero)
        : new Uint8Array(buffer, at.cols, nonZero),
    weights: new Int8Array(buffer, at.weights, nonZero),
    weightScale: encoded.weightScale,
    bias: new Float32Array(buffer, at.bias, labels.length),
    slots: indexRows(buckets),
  };
}

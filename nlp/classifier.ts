/**
 * The NLP tier behind the `IntentClassifier` port: a trained linear model (model.ts), a temperature that
 * turns its scores into calibrated probabilities, and two thresholds chosen on held-out data
 * (calibration.ts). Built from a serialised model file at cold start; a Lambda handler never trains.
 * Pure: no Telegram, no AWS, no file system (the CLI reads and writes files).
 */
import {
  type CalibratedPrediction,
  chooseThresholds,
  fitTemperature,
  type ScoredExample,
  type ThresholdOptions,
  type Thresholds,
} from "./calibration";
import { tokenize } from "./features";
import {
  decodeLinearModel,
  type EncodedLinearModel,
  encodeLinearModel,
  type LinearModel,
  ModelFormatError,
  ModelTrainingError,
  pruneToBudget,
  scoreText,
  seededRandom,
  shuffleInPlace,
  softmax,
  type TrainingExample,
  type TrainOptions,
  trainLinearModel,
} from "./model";
import { normalize, stripDiacritics } from "./normalize";
import type { Classification, IntentClassifier, IntentScore, LabelledUtterance } from "./types";
import { type Correction, TypoCorrector } from "./typos";

/** The `count` most probable intents, best first, skipping the out-of-scope class (no full sort). */
function topIntents(
  probabilities: Float64Array,
  labels: string[],
  skip: number,
  count: number,
): IntentScore[] {
  const picked: number[] = [];
  for (let c = 0; c < probabilities.length; c++) {
    if (c === skip) continue;
    let at = picked.length;
    while (at > 0 && (probabilities[picked[at - 1] as number] as number) < (probabilities[c] as number)) at--;
    if (at < count) {
      picked.splice(at, 0, c);
      if (picked.length > count) picked.pop();
    }
  }
  return picked.map((c) => ({ intent: labels[c] as string, confidence: probabilities[c] as number }));
}

const { log } = Math;

/** Format tag and version of the model file; bump the version when the layout changes. */
export const MODEL_FORMAT = "lambdagram-nlp-model";
export const MODEL_VERSION = 1;

/** Everything the classifier needs at run time: model, temperature, thresholds, out-of-scope label. */
export interface ClassifierModel {
  model: LinearModel;
  temperature: number;
  thresholds: Thresholds;
  /** The explicit out-of-scope class, when the training data had one (e.g. CLINC150's `oos`). */
  oosLabel?: string;
  /**
   * How much more probable (in log odds, ln P(oos) - ln P(best intent)) the out-of-scope class must be
   * than the best intent to decline by class. Chosen on held-out data so the background class does not
   * swallow correctly understood in-scope messages (0 = plain argmax; absent in older files).
   */
  oosMargin?: number;
  /** Corrects unknown words against the training vocabulary before scoring (absent: no correction). */
  corrector?: TypoCorrector;
  /**
   * Intents answered only when every word of the message is one of their own words (e.g. chit-chat: "how
   * big" is not "how are you" just because it is short), as intent -> the words of its training
   * utterances; otherwise the answer becomes "did you mean". Absent: no intent is gated.
   */
  gated?: Record<string, string[]>;
  /**
   * Inputs whose known features carry less than this share of their weight are out of scope without
   * candidates: gibberish shares a few character bigrams with anything, never much weight.
   */
  minCoverage: number;
  /** How the model was trained, for humans reading the file. */
  meta: { examples: number; languages: string[]; calibrationExamples: number; calibration: string };
}

/** The model file: JSON, self-describing, deterministic for the same content and seed. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: number;
  temperature: number;
  thresholds: Thresholds;
  minCoverage: number;
  oosLabel?: string;
  oosMargin?: number;
  /** The typo corrector's vocabulary: words separated by spaces, most frequent first. */
  vocabulary?: string;
  /** {@link ClassifierModel.gated}: intent -> its words separated by spaces. */
  gated?: Record<string, string>;
  meta: ClassifierModel["meta"];
  model: EncodedLinearModel;
}

/** Default {@link ClassifierModel.minCoverage}: gibberish scores ~0.01-0.02, real text with a few unseen words 0.05+. */
export const DEFAULT_MIN_COVERAGE = 0.03;

/**
 * Every character past ASCII (the vocabulary's Vietnamese and Chinese words), escaped as `\uXXXX` in the model
 * file: the same JSON, but a pure-ASCII file decodes ~3x faster at cold start (2.8 MB: ~2 ms instead of ~6).
 */
const nonAscii = /[\u0080-\uffff]/g;

/** Serialises a trained classifier model to the JSON text of the model file. */
export function serializeModel(model: ClassifierModel): string {
  const file: ModelFile = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    temperature: model.temperature,
    thresholds: model.thresholds,
    minCoverage: model.minCoverage,
    ...(model.oosLabel === undefined ? {} : { oosLabel: model.oosLabel }),
    ...(model.oosMargin === undefined ? {} : { oosMargin: model.oosMargin }),
    ...(model.corrector === undefined ? {} : { vocabulary: model.corrector.serialize() }),
    ...(model.gated === undefined
      ? {}
      : {
          gated: Object.fromEntries(
            Object.entries(model.gated).map(([intent, words]) => [intent, words.join(" ")]),
          ),
        }),
    meta: model.meta,
    model: encodeLinearModel(model.model),
  };
  return JSON.stringify(file).replace(
    nonAscii,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Reads a model file (its JSON text or the parsed object, e.g. from a bundled `import`).
 * @throws ModelFormatError when it is not a model file of this version.
 */
export function deserializeModel(source: string | unknown): ClassifierModel {
  let file: unknown = source;
  if (typeof source === "string") {
    try {
      file = JSON.parse(source);
    } catch (error) {
      throw new ModelFormatError(`the model file is not JSON (${(error as Error).message})`);
    }
  }
  const candidate = file as Partial<ModelFile> | null;
  if (!candidate || candidate.format !== MODEL_FORMAT)
    throw new ModelFormatError(`not a ${MODEL_FORMAT} file`);
  if (candidate.version !== MODEL_VERSION)
    throw new ModelFormatError(
      `model file version ${candidate.version}, this code reads version ${MODEL_VERSION}`,
    );
  if (
    !candidate.model ||
    !candidate.thresholds ||
    typeof candidate.temperature !== "number" ||
    !candidate.meta
  )
    throw new ModelFormatError("the model file lacks model, thresholds, temperature or meta");
  return {
    model: decodeLinearModel(candidate.model),
    temperature: candidate.temperature,
    thresholds: candidate.thresholds,
    minCoverage: typeof candidate.minCoverage === "number" ? candidate.minCoverage : DEFAULT_MIN_COVERAGE,
    ...(candidate.oosLabel === undefined ? {} : { oosLabel: candidate.oosLabel }),
    ...(typeof candidate.oosMargin === "number" ? { oosMargin: candidate.oosMargin } : {}),
    ...(typeof candidate.vocabulary === "string"
      ? { corrector: TypoCorrector.deserialize(candidate.vocabulary) }
      : {}),
    ...(candidate.gated && typeof candidate.gated === "object"
      ? {
          gated: Object.fromEntries(
            Object.entries(candidate.gated).map(([intent, words]) => [intent, String(words).split(" ")]),
          ),
        }
      : {}),
    meta: candidate.meta,
  };
}

/** A detailed prediction: what `classify` decides plus the raw evidence, for evaluation and debugging. */
export interface Explanation extends Classification {
  /** The best class including the explicit out-of-scope class; undefined when nothing was recognised. */
  top?: string;
  /** Calibrated probability of the best in-scope intent (0 when nothing was recognised). */
  confidence: number;
  /** The best class is the explicit out-of-scope class. */
  predictedOutOfScope: boolean;
  knownFeatures: number;
  totalFeatures: number;
  /** Share of the input's weight on features the model knows (see {@link ClassifierModel.minCoverage}). */
  coverage: number;
  /** Unknown words replaced by vocabulary words before scoring. */
  corrections: Correction[];
}

/**
 * The NLP tier: `classify` answers `confident` above the high threshold, `unsure` (with the top 3 for "did
 * you mean") between the thresholds, and `out_of_scope` below the low one, on the out-of-scope class, or
 * when the input has no feature the model has seen (empty or unknown-only text never picks a class).
 */
export class NlpClassifier implements IntentClassifier {
  readonly name = "nlp";
  private readonly oosIndex: number;
  private readonly gated = new Map<string, Set<string>>();

  constructor(readonly model: ClassifierModel) {
    this.oosIndex = model.oosLabel === undefined ? -1 : model.model.labels.indexOf(model.oosLabel);
    for (const [intent, words] of Object.entries(model.gated ?? {})) this.gated.set(intent, new Set(words));
  }

  /**
   * Whether answering the best candidate is clear: it is not gated, or every word of the text is a word of
   * it or of another gated candidate at least 1% as probable ("hey, how are you" mixes two intents).
   */
  private clear(candidates: IntentScore[], text: string): boolean {
    const [best] = candidates;
    if (!best || !this.gated.has(best.intent)) return true;
    const vocabularies = candidates.flatMap((c) => {
      const words = this.gated.get(c.intent);
      return words && c.confidence >= best.confidence * 0.01 ? [words] : [];
    });
    return tokenize(text).every((token) => vocabularies.some((words) => words.has(token.folded)));
  }

  /** Builds the classifier from the model file's JSON text or parsed object. */
  static fromJSON(source: string | unknown): NlpClassifier {
    return new NlpClassifier(deserializeModel(source));
  }

  /** The intents this classifier can name (without the out-of-scope class). */
  get intents(): string[] {
    return this.model.model.labels.filter((_, i) => i !== this.oosIndex);
  }

  classify(text: string, language: string): Classification {
    const { decision, candidates } = this.explain(text, language);
    return { decision, candidates };
  }

  /** Like `classify`, with the evidence behind the decision. */
  explain(text: string, language?: string): Explanation {
    const nothing: Explanation = {
      decision: "out_of_scope",
      candidates: [],
      confidence: 0,
      predictedOutOfScope: false,
      knownFeatures: 0,
      totalFeatures: 0,
      coverage: 0,
      corrections: [],
    };
    const corrected = this.model.corrector?.correct(text);
    const corrections = corrected?.corrections ?? [];
    const scores = scoreText(this.model.model, corrected?.text ?? text, language);
    if (scores.knownFeatures === 0 || scores.coverage < this.model.minCoverage)
      return {
        ...nothing,
        knownFeatures: scores.knownFeatures,
        totalFeatures: scores.totalFeatures,
        coverage: scores.coverage,
        corrections,
      };
    const probabilities = softmax(scores.logits, this.model.temperature);
    const labels = this.model.model.labels;
    let top = 0;
    for (let c = 1; c < probabilities.length; c++)
      if ((probabilities[c] as number) > (probabilities[top] as number)) top = c;
    const candidates = topIntents(probabilities, labels, this.oosIndex, 3);
    const confidence = candidates[0]?.confidence ?? 0;
    const predictedOutOfScope =
      top === this.oosIndex &&
      log(probabilities[top] as number) - log(confidence) > (this.model.oosMargin ?? 0);
    const { low, high } = this.model.thresholds;
    let decision: Classification["decision"] =
      predictedOutOfScope || confidence < low ? "out_of_scope" : confidence >= high ? "confident" : "unsure";
    if (decision === "confident" && !this.clear(candidates, corrected?.text ?? text)) decision = "unsure";
    return {
      decision,
      candidates,
      top: labels[top],
      confidence,
      predictedOutOfScope,
      knownFeatures: scores.knownFeatures,
      totalFeatures: scores.totalFeatures,
      coverage: scores.coverage,
      corrections,
    };
  }
}

/** How `trainClassifier` trains, calibrates and picks thresholds. */
export interface ClassifierTrainOptions {
  /** Model and feature knobs (model.ts). */
  train?: Partial<TrainOptions>;
  /** Held-out utterances for temperature and thresholds; without them, out-of-fold predictions are used. */
  validation?: LabelledUtterance[];
  /** Number of folds for out-of-fold calibration when no validation set is given (default 5). */
  calibrationFolds?: number;
  /** The label of out-of-scope utterances (e.g. `oos`); trained as a class when present in training. */
  oosLabel?: string;
  /** See {@link ClassifierModel.minCoverage}; default {@link DEFAULT_MIN_COVERAGE}. */
  minCoverage?: number;
  /**
   * With an out-of-scope class: the share of correctly classified held-out in-scope utterances that the
   * class must leave alone (sets {@link ClassifierModel.oosMargin}; default 0.99).
   */
  oosKeepCorrect?: number;

  /** Threshold selection targets (calibration.ts). */
  thresholds?: Partial<ThresholdOptions>;
  /**
   * Utterances that are always trained on but never held out for calibration, e.g. intent titles and
   * keywords of a content pack (short, unlike real messages, so they would distort the thresholds).
   */
  extraTraining?: LabelledUtterance[];
  /** Also train on a diacritics-free copy of each utterance that has diacritics (default true). */
  foldDiacritics?: boolean;
  /** Correct unknown words against the training vocabulary before scoring (default true; nlp/typos.ts). */
  correctTypos?: boolean;
  /** Largest encoded size of the final model's weights; smaller weights are dropped to fit (model.ts). */
  maxWeightBytes?: number;
  /** Intents answered only when every word of a message is one of their words ({@link ClassifierModel.gated}). */
  gatedIntents?: string[];
}

/** The result of training: a ready classifier and the model to serialise. */
export interface TrainedClassifier {
  classifier: NlpClassifier;
  model: ClassifierModel;
}

/** Adds a diacritics-free copy of every Latin-script utterance that has diacritics ("tiếng việt" -> "tieng viet"). */
export function withFoldedCopies(utterances: LabelledUtterance[]): LabelledUtterance[] {
  const out: LabelledUtterance[] = [];
  for (const utterance of utterances) {
    out.push(utterance);
    const text = normalize(utterance.text);
    const folded = stripDiacritics(text);
    if (folded !== text && !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text))
      out.push({ ...utterance, text: folded });
  }
  return out;
}

/** Splits indices into `folds` groups, stratified by label so every fold sees every intent. */
export function stratifiedFolds(labels: string[], folds: number, seed: number): number[][] {
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const list = byLabel.get(label) ?? [];
    list.push(i);
    byLabel.set(label, list);
  });
  const random = seededRandom(seed);
  const out: number[][] = Array.from({ length: folds }, () => []);
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    for (const i of shuffleInPlace(byLabel.get(label) as number[], random)) {
      (out[next % folds] as number[]).push(i);
      next++;
    }
  }
  return out.map((fold) => fold.sort((a, b) => a - b));
}

function toExamples(utterances: LabelledUtterance[], index: Map<string, number>): TrainingExample[] {
  return utterances.map((u) => ({
    text: u.text,
    label: index.get(u.intent) as number,
    ...(u.language === undefined ? {} : { language: u.language }),
  }));
}

/**
 * Trains, calibrates and thresholds a classifier. Deterministic for the same data and seed.
 * Temperature and thresholds come from `validation` when given, otherwise from out-of-fold predictions over
 * the training data (k models on k-1 folds each); the final model is then trained on all of it.
 * @throws ModelTrainingError when there are fewer than two intents.
 */
export function trainClassifier(
  utterances: LabelledUtterance[],
  options: ClassifierTrainOptions = {},
): TrainedClassifier {
  const extra = options.extraTraining ?? [];
  const labels = [...new Set([...utterances, ...extra].map((u) => u.intent))].sort();
  if (labels.length < 2)
    throw new ModelTrainingError(
      `found ${labels.length} intent(s) in ${utterances.length} utterances; at least two intents with examples are needed`,
    );
  const index = new Map(labels.map((label, i) => [label, i]));
  const trainOptions = { ...options.train };
  const fold = options.foldDiacritics === false ? (u: LabelledUtterance[]) => u : withFoldedCopies;
  const oosLabel = options.oosLabel;
  const seed = trainOptions.seed ?? 1;

  // Held-out evidence for calibration: (model, utterance) pairs scored by a model that never saw them.
  const scored: { logits: Float32Array; intent: string; coverage: number }[] = [];
  let calibration: string;
  const trainedModel = trainLinearModel(
    toExamples(fold([...utterances, ...extra]), index),
    labels,
    trainOptions,
  );
  const model =
    options.maxWeightBytes === undefined ? trainedModel : pruneToBudget(trainedModel, options.maxWeightBytes);
  const correctorOf = (training: LabelledUtterance[]) =>
    options.correctTypos === false ? undefined : TypoCorrector.fromTexts(training.map((u) => u.text));
  const corrector = correctorOf([...utterances, ...extra]);
  const scoreCorrected = (m: LinearModel, c: TypoCorrector | undefined, u: LabelledUtterance) =>
    scoreText(m, c ? c.correct(u.text).text : u.text, u.language);
  if (options.validation && options.validation.length > 0) {
    calibration = "validation set";
    for (const u of options.validation) {
      const s = scoreCorrected(model, corrector, u);
      scored.push({ logits: s.logits, intent: u.intent, coverage: s.coverage });
    }
  } else {
    const k = Math.max(2, options.calibrationFolds ?? 5);
    calibration = `${k}-fold out-of-fold predictions`;
    const folds = stratifiedFolds(
      utterances.map((u) => u.intent),
      k,
      seed,
    );
    for (const held of folds) {
      const heldSet = new Set(held);
      const rest = utterances.filter((_, i) => !heldSet.has(i));
      if (new Set([...rest, ...extra].map((u) => u.intent)).size < 2) continue;
      const foldModel = trainLinearModel(toExamples(fold([...rest, ...extra]), index), labels, trainOptions);
      const foldCorrector = correctorOf([...rest, ...extra]);
      for (const i of held) {
        const u = utterances[i] as LabelledUtterance;
        const s = scoreCorrected(foldModel, foldCorrector, u);
        scored.push({ logits: s.logits, intent: u.intent, coverage: s.coverage });
      }
    }
  }

  const examples: ScoredExample[] = scored.map((s) => ({
    logits: s.logits,
    label: index.get(s.intent) ?? -1,
  }));
  const temperature = fitTemperature(examples);
  const oosIndex = oosLabel === undefined ? -1 : (index.get(oosLabel) ?? -1);
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const oosMargin =
    oosIndex < 0
      ? undefined
      : chooseOosMargin(
          scored.filter((s) => s.coverage >= minCoverage && s.intent !== oosLabel),
          temperature,
          oosIndex,
          index,
          options.oosKeepCorrect ?? 0.99,
        );
  const predictions = scored.map((s) =>
    calibratedPrediction(
      s.logits,
      s.coverage >= minCoverage,
      s.intent,
      temperature,
      oosIndex,
      index,
      oosLabel,
      oosMargin ?? 0,
    ),
  );
  const thresholds = chooseThresholds(predictions, options.thresholds);
  const classifierModel: ClassifierModel = {
    model,
    temperature,
    thresholds,
    minCoverage,
    ...(oosLabel !== undefined && oosIndex >= 0 ? { oosLabel, oosMargin: oosMargin ?? 0 } : {}),
    ...(corrector ? { corrector } : {}),
    ...(options.gatedIntents && options.gatedIntents.length > 0
      ? { gated: intentWords([...utterances, ...extra], options.gatedIntents) }
      : {}),
    meta: {
      examples: utterances.length,
      languages: [...new Set(utterances.map((u) => u.language ?? "unknown"))].sort(),
      calibrationExamples: scored.length,
      calibration,
    },
  };
  return { classifier: new NlpClassifier(classifierModel), model: classifierModel };
}

/** The diacritics-free words (and Chinese characters) of each listed intent's utterances, sorted. */
export function intentWords(utterances: LabelledUtterance[], intents: string[]): Record<string, string[]> {
  const words = new Map(intents.map((intent) => [intent, new Set<string>()]));
  for (const u of utterances) {
    const set = words.get(u.intent);
    if (set) for (const token of tokenize(u.text)) set.add(token.folded);
  }
  return Object.fromEntries([...words].map(([intent, set]) => [intent, [...set].sort()]));
}

/**
 * The smallest margin (log odds of the out-of-scope class over the best intent, >= 0) that leaves
 * `keep` of the correctly classified held-out in-scope utterances to their intent: a large background
 * class otherwise claims short in-scope messages that are merely unlike the examples.
 */
export function chooseOosMargin(
  scored: { logits: Float32Array; intent: string }[],
  temperature: number,
  oosIndex: number,
  index: Map<string, number>,
  keep: number,
): number {
  const gaps: number[] = [];
  for (const s of scored) {
    let best = -1;
    for (let c = 0; c < s.logits.length; c++)
      if (c !== oosIndex && (best < 0 || (s.logits[c] as number) > (s.logits[best] as number))) best = c;
    if (best !== index.get(s.intent)) continue;
    gaps.push(((s.logits[oosIndex] as number) - (s.logits[best] as number)) / temperature);
  }
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => b - a);
  const allowed = Math.floor(gaps.length * (1 - keep));
  return Math.max(0, gaps[allowed] as number);
}

/** What a threshold acts on, from one held-out utterance's logits. */
export function calibratedPrediction(
  logits: Float32Array,
  recognised: boolean,
  intent: string,
  temperature: number,
  oosIndex: number,
  index: Map<string, number>,
  oosLabel?: string,
  oosMargin = 0,
): CalibratedPrediction {
  const outOfScope = oosLabel !== undefined && intent === oosLabel;
  if (!recognised) return { confidence: 0, correct: false, outOfScope, predictedOutOfScope: true };
  const probabilities = softmax(logits, temperature);
  let top = -1;
  for (let c = 0; c < probabilities.length; c++) {
    if (c === oosIndex) continue;
    if (top < 0 || (probabilities[c] as number) > (probabilities[top] as number)) top = c;
  }
  const declined =
    oosIndex >= 0 && log(probabilities[oosIndex] as number) - log(probabilities[top] as number) > oosMargin;
  return {
    confidence: probabilities[top] as number,
    correct: !outOfScope && top === index.get(intent) && !declined,
    outOfScope,
    predictedOutOfScope: declined,
  };
}

/**
 * The NLP command line: `train` turns a content pack into the model file the Lambda bundle embeds (a
 * handler never trains), and `evaluate` measures a classifier on JSONL splits or cross-validates the content
 * pack. The only file I/O of the NLP tier lives here.
 *
 *   npm run nlp:train [-- --content content/ --out dist/model/nlp-model.json]
 *   npx lambdagram nlp evaluate --train TRAIN.jsonl --test TEST.jsonl [--valid VALID.jsonl] [--oos-label oos]
 *                               [--json] [--report report.html]
 *   npx lambdagram nlp evaluate --content content/ [--folds 5] [--errors] [--json] [--report report.html]
 *   npx lambdagram nlp evaluate --content content/ --probe FILE.jsonl [--probe ...] [--tier rules|nlp]
 *                               [--model MODEL.json] [--json]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ContentError, loadContent, OUT_OF_SCOPE_ID } from "../content/load";
import type { Content } from "../content/schema";
import {
  type ClassifierTrainOptions,
  NlpClassifier,
  serializeModel,
  type TrainedClassifier,
  trainClassifier,
} from "./classifier";
import { intentCatalog } from "./decide";
import { classifyAll, crossValidate, type EvaluationResult, summarize } from "./evaluate";
import { ModelFormatError, ModelTrainingError } from "./model";
import { matchKey } from "./normalize";
import { formatProbeReport, type ProbeMessage, type ProbeReport, runProbe } from "./probe";
import { type ReportSection, renderReport } from "./report-html";
import { RuleClassifier } from "./rules";
import type { LabelledUtterance } from "./types";

/** Where `train` writes the model unless told otherwise; the bundler embeds this file. */
export const DEFAULT_MODEL_PATH = "dist/model/nlp-model.json";

/** A mistake in how the command was called; the message says what to type instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${USAGE}`);
    this.name = "UsageError";
  }
}

/** A JSONL data file that cannot be used; the message names the file and line. */
export class DataFileError extends Error {
  constructor(file: string, line: number, reason: string) {
    super(
      `${file}:${line}: ${reason}. Each line must be a JSON object like {"text": "...", "intent": "..."}.`,
    );
    this.name = "DataFileError";
  }
}

const USAGE = `Usage:
  lambdagram nlp train [--content content/] [--out ${DEFAULT_MODEL_PATH}]
  lambdagram nlp evaluate --train TRAIN.jsonl --test TEST.jsonl [--valid VALID.jsonl] [--oos-label oos]
                          [--language en] [--json] [--report report.html]
  lambdagram nlp evaluate --content content/ [--folds 5] [--errors] [--json] [--report report.html]
  lambdagram nlp evaluate --content content/ --probe FILE.jsonl [--probe FILE2.jsonl ...] [--tier rules|nlp]
                          [--model MODEL.json] [--json]`;

/**
 * Every example utterance of a content pack that the NLP tier can learn from, labelled with its intent id and
 * language. Examples without a single word (emoji-only reactions such as "👍🔥") give the model no feature, so
 * they are left to the rule tier's patterns, which see the raw text.
 */
export function contentUtterances(content: Content): LabelledUtterance[] {
  const out: LabelledUtterance[] = [];
  for (const intent of content.intents)
    for (const [language, examples] of Object.entries(intent.examples))
      for (const text of examples) if (matchKey(text) !== "") out.push({ text, intent: intent.id, language });
  return out;
}

/**
 * The pack's out-of-scope background (`content/out-of-scope/`), labelled {@link OUT_OF_SCOPE_ID}: trained as
 * a class of its own, so messages like them are declined by the model, not only by thresholds.
 */
export function contentBackground(content: Content): LabelledUtterance[] {
  return (content.outOfScope ?? []).flatMap((set) =>
    Object.entries(set.examples).flatMap(([language, examples]) =>
      examples.map((text) => ({ text, intent: OUT_OF_SCOPE_ID, language })),
    ),
  );
}

/**
 * Extra training text of a content pack: each intent's titles and rule-tier keywords. They are how authors
 * name an intent, so they teach the model the intent's key words (+6-9 points of cross-validated accuracy
 * on the default pack); they are never used as test data.
 */
export function contentHints(content: Content): LabelledUtterance[] {
  const out: LabelledUtterance[] = [];
  for (const intent of content.intents) {
    for (const [language, text] of Object.entries(intent.title))
      out.push({ text, intent: intent.id, language });
    for (const [language, keywords] of Object.entries(intent.keywords ?? {}))
      for (const text of keywords) out.push({ text, intent: intent.id, language });
  }
  return out;
}

/**
 * Chit-chat intents: answered only when every word of the message is one of the intent's own words, so a
 * short question ("how big", "why though") is not small talk because it is short (issue 12).
 */
export function chitchatIntents(content: Content): string[] {
  return content.intents.filter((intent) => intent.kind === "chitchat").map((intent) => intent.id);
}

/**
 * Size budget of a content pack's model weights: a pack with ~100 intents and the out-of-scope background
 * would need ~3.9 MB at the default pruning, so its smallest weights are dropped until the file stays
 * under 3 MB (docs/nlp.md); a smaller pack keeps every weight.
 */
export const CONTENT_WEIGHT_BUDGET = 2_800_000;

/**
 * Trains the classifier of a content pack in-process (what `nlp train` writes to disk); the local runner
 * and the tests use it to get a classifier without a build step. Calibration uses 3-fold out-of-fold
 * predictions (4 trainings of ~1 s each for the default pack).
 */
export function trainFromContent(content: Content, options: ClassifierTrainOptions = {}): TrainedClassifier {
  const background = contentBackground(content);
  const { oosLabel, ...packOptions } = contentTrainOptions(content, background);
  return trainClassifier([...contentUtterances(content), ...background], {
    calibrationFolds: 3,
    ...(oosLabel === undefined ? {} : { oosLabel }),
    ...options,
    ...packOptions,
  });
}

/**
 * What every model of a content pack trains with, the shipped one and cross-validation's alike (so the CV
 * measures the model that ships): the titles and keywords as extra examples, the size budget, the chit-chat
 * gate, and the background class when the pack has one.
 */
function contentTrainOptions(
  content: Content,
  background: readonly LabelledUtterance[],
): Pick<ClassifierTrainOptions, "extraTraining" | "maxWeightBytes" | "gatedIntents" | "oosLabel"> {
  return {
    extraTraining: contentHints(content),
    maxWeightBytes: CONTENT_WEIGHT_BUDGET,
    gatedIntents: chitchatIntents(content),
    ...(background.length > 0 ? { oosLabel: OUT_OF_SCOPE_ID } : {}),
  };
}

/** Reads a JSONL file of {"text", "intent"} lines (blank lines skipped). */
export function readJsonl(file: string, language?: string): LabelledUtterance[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (caught) {
    throw new DataFileError(file, 0, `cannot be read (${(caught as Error).message})`);
  }
  const lines = text.split("\n");
  const out: LabelledUtterance[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DataFileError(file, i + 1, "not valid JSON");
    }
    const record = value as Partial<LabelledUtterance> | null;
    if (!record || typeof record.text !== "string" || typeof record.intent !== "string")
      throw new DataFileError(file, i + 1, 'needs string fields "text" and "intent"');
    const lang = typeof record.language === "string" ? record.language : language;
    out.push({ text: record.text, intent: record.intent, ...(lang === undefined ? {} : { language: lang }) });
  });
  if (out.length === 0) throw new DataFileError(file, 1, "the file holds no utterances");
  return out;
}

/**
 * Reads a realistic evaluation set: JSONL lines `{"text", "label", "tags"?, "language"?}` (`intent` is
 * accepted for `label`). A line without `language` takes the file's name when it is one of `languages`
 * (`en.jsonl`, `zh-TW.jsonl`), else `fallbackLanguage`.
 */
export function readProbe(file: string, languages: string[], fallbackLanguage: string): ProbeMessage[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (caught) {
    throw new DataFileError(file, 0, `cannot be read (${(caught as Error).message})`);
  }
  const named = basename(file).replace(/\.jsonl?$/, "");
  const fileLanguage = languages.includes(named) ? named : fallbackLanguage;
  const out: ProbeMessage[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let record: Record<string, unknown> | null;
    try {
      record = JSON.parse(line);
    } catch {
      throw new DataFileError(file, i + 1, "not valid JSON");
    }
    const label = record?.label ?? record?.intent;
    if (!record || typeof record.text !== "string" || typeof label !== "string")
      throw new DataFileError(file, i + 1, 'needs string fields "text" and "label"');
    const tags = Array.isArray(record.tags) ? record.tags.filter((t) => typeof t === "string") : [];
    out.push({
      text: record.text,
      label,
      language: typeof record.language === "string" ? record.language : fileLanguage,
      ...(tags.length > 0 ? { tags } : {}),
    });
  });
  if (out.length === 0) throw new DataFileError(file, 1, "the file holds no messages");
  return out;
}

/** The `--json` form of a probe report: rates per language and overall, every confidently wrong message. */
export function probeJson(report: ProbeReport): Record<string, unknown> {
  const strip = (r: ProbeReport["confidentlyWrong"][number]) => ({
    text: r.text,
    language: r.language,
    label: r.label,
    got: r.reply.kind === "answer" ? r.reply.intent : r.reply.kind,
    ...(r.reply.kind === "clarify" ? { offered: r.reply.intents } : {}),
    decision: r.decision,
    confidence: Number(r.confidence.toFixed(4)),
    ...(r.tags ? { tags: r.tags } : {}),
  });
  return {
    tier: report.tier,
    confidentlyWrongRate: report.overall.confidentlyWrongRate,
    overall: report.overall,
    languages: report.languages,
    tags: report.tags,
    unknownLabels: report.unknownLabels,
    confidentlyWrong: report.confidentlyWrong.map(strip),
    declined: report.declined.map(strip),
    offeredOthers: report.offeredOthers.map(strip),
    confusion: report.confusion,
  };
}

function write(file: string, text: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The human-readable summary `evaluate` prints. */
export function formatResult(
  title: string,
  result: EvaluationResult,
  extra: Record<string, string> = {},
): string {
  const lines = [`== ${title}`];
  lines.push(
    `utterances ${result.utterances}  accuracy ${pct(result.accuracy)}  macro-F1 ${pct(result.macroF1)}` +
      `  right intent in top 3 ${pct(result.top3Accuracy)}` +
      `  classify p50 ${result.latency.p50.toFixed(3)} ms  p99 ${result.latency.p99.toFixed(3)} ms`,
  );
  for (const [key, value] of Object.entries(extra)) lines.push(`${key}: ${value}`);
  const d = result.decisions;
  lines.push(
    `decisions: confident ${d.confident}, unsure ${d.unsure}, out of scope ${d.out_of_scope}; confident answers right ${pct(result.confidentPrecision)}`,
  );
  if (result.oos) {
    const o = result.oos;
    lines.push(
      `out of scope ("${o.label}"): in-scope accuracy ${pct(o.inScopeAccuracy)} (best class alone ${pct(o.inScopeAccuracyTop1)}), ` +
        `OOS recall ${pct(o.oosRecall)}, OOS precision ${pct(o.oosPrecision)}`,
    );
    lines.push("trade-off (low threshold: in-scope accuracy / OOS recall):");
    lines.push(
      `  ${o.operatingPoints.map((p) => `${p.low.toFixed(1)}: ${pct(p.inScopeAccuracy)} / ${pct(p.oosRecall)}`).join("   ")}`,
    );
  }
  lines.push("per intent (worst F1 first):");
  lines.push(`  ${"intent".padEnd(32)} precision  recall     F1  support`);
  for (const m of [...result.perIntent].sort((a, b) => a.f1 - b.f1 || a.intent.localeCompare(b.intent)))
    lines.push(
      `  ${m.intent.padEnd(32)} ${pct(m.precision).padStart(9)} ${pct(m.recall).padStart(7)} ${pct(m.f1).padStart(6)} ${String(m.support).padStart(8)}`,
    );
  if (result.confusedPairs.length > 0) {
    lines.push("most confused (gold -> predicted: count):");
    for (const p of result.confusedPairs) lines.push(`  ${p.gold} -> ${p.predicted}: ${p.count}`);
  }
  return lines.join("\n");
}

/** `--errors`: every held-out example cross-validation got wrong, grouped by meant -> got pair. */
export function formatHeldOutErrors(errors: HeldOutError[]): string {
  const byPair = new Map<string, HeldOutError[]>();
  for (const e of errors) {
    const key = `${e.gold} -> ${e.got}`;
    byPair.set(key, [...(byPair.get(key) ?? []), e]);
  }
  const lines = [`held-out errors (${errors.length}; meant -> got, most frequent pair first):`];
  for (const [pair, list] of [...byPair].sort(
    (a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]),
  )) {
    lines.push(`  ${pair}: ${list.length}`);
    for (const e of list)
      lines.push(
        `    "${e.text}"${e.got === OUT_OF_SCOPE_ID ? ` (best intent ${e.best} ${e.confidence.toFixed(2)})` : ""}`,
      );
  }
  return lines.join("\n");
}

/** `evaluate --train --test`: train, classify the test split, report. Returns the JSON summary. */
export function evaluateSplits(options: {
  train: LabelledUtterance[];
  test: LabelledUtterance[];
  valid?: LabelledUtterance[];
  oosLabel?: string;
}): { summary: Record<string, unknown>; result: EvaluationResult; trained: TrainedClassifier } {
  const started = performance.now();
  const trained = trainClassifier(options.train, {
    ...(options.valid ? { validation: options.valid } : {}),
    ...(options.oosLabel === undefined ? {} : { oosLabel: options.oosLabel }),
  });
  const trainMs = performance.now() - started;
  const json = serializeModel(trained.model);
  const loadStarted = performance.now();
  const classifier = NlpClassifier.fromJSON(json);
  const loadMs = performance.now() - loadStarted;
  const result = summarize(
    classifyAll(
      classifier,
      options.test,
      options.oosLabel === undefined ? {} : { oosLabel: options.oosLabel },
    ),
    options.oosLabel === undefined ? {} : { oosLabel: options.oosLabel },
  );
  const summary = {
    accuracy: result.accuracy,
    macroF1: result.macroF1,
    top3Accuracy: result.top3Accuracy,
    inScopeAccuracy: result.oos ? result.oos.inScopeAccuracy : result.accuracy,
    inScopeAccuracyTop1: result.oos ? result.oos.inScopeAccuracyTop1 : result.accuracy,
    oosRecall: result.oos ? result.oos.oosRecall : null,
    oosPrecision: result.oos ? result.oos.oosPrecision : null,
    trainMs: Math.round(trainMs),
    loadMs: Number(loadMs.toFixed(2)),
    classifyMsP50: Number(result.latency.p50.toFixed(4)),
    classifyMsP99: Number(result.latency.p99.toFixed(4)),
    modelBytes: Buffer.byteLength(json),
    temperature: trained.model.temperature,
    thresholds: trained.model.thresholds,
    calibration: trained.model.meta.calibration,
    decisions: result.decisions,
    confidentPrecision: result.confidentPrecision,
    operatingPoints: result.oos?.operatingPoints ?? [],
    confusedPairs: result.confusedPairs,
    perIntent: result.perIntent,
  };
  return { summary, result, trained };
}

/** One held-out example the cross-validation got wrong: what it meant, what the model's best class was. */
export interface HeldOutError {
  text: string;
  gold: string;
  /** The best class: `oos` when the background class declined it, `(none)` when no feature was known. */
  got: string;
  /** The best in-scope intent and its calibrated probability. */
  best: string;
  confidence: number;
}

/**
 * `evaluate --content`: k-fold cross-validation per language (training also sees the other languages), with
 * every held-out example it got wrong, so an author can fix the cause (two intents sharing a phrasing, a
 * background line that is really a question the pack answers, an example unlike every other).
 */
export function crossValidateContent(
  content: Content,
  folds = 5,
  calibrationFolds = 3,
): { language: string; result: EvaluationResult; errors: HeldOutError[] }[] {
  const all = contentUtterances(content);
  const background = contentBackground(content);
  const packOptions = contentTrainOptions(content, background);
  return content.settings.languages.map((language) => {
    const own = all.filter((u) => u.language === language);
    const others = [...all.filter((u) => u.language !== language), ...background];
    const train = (training: LabelledUtterance[]) =>
      trainClassifier(training, { calibrationFolds, ...packOptions }).classifier;
    const results = crossValidate(own, train, { folds, alwaysTrain: others });
    const errors = results
      .filter((r) => r.top1 !== r.gold)
      .map((r) => ({
        text: r.text,
        gold: r.gold,
        got: r.predictedOutOfScope ? OUT_OF_SCOPE_ID : r.top1,
        best: r.best,
        confidence: r.confidence,
      }));
    return { language, result: summarize(results), errors };
  });
}

function readModelFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (caught) {
    throw new DataFileError(
      file,
      0,
      `cannot be read (${(caught as Error).message}); build it with \`npm run nlp:train\``,
    );
  }
}

function runTrain(args: string[], log: (line: string) => void): void {
  const { values } = parseArgs({
    args,
    options: {
      content: { type: "string", default: "content" },
      out: { type: "string", default: DEFAULT_MODEL_PATH },
    },
    strict: true,
  });
  const started = performance.now();
  const content = loadContent(resolve(values.content));
  const { model } = trainFromContent(content);
  const json = serializeModel(model);
  write(values.out, json);
  const ms = performance.now() - started;
  log(
    `Trained ${model.model.labels.length} intents on ${model.meta.examples} examples (${model.meta.languages.join(", ")}) in ${Math.round(ms)} ms; ` +
      `temperature ${model.temperature.toFixed(3)}, thresholds low ${model.thresholds.low.toFixed(3)} / high ${model.thresholds.high.toFixed(3)}; ` +
      `wrote ${values.out} (${(Buffer.byteLength(json) / 1024).toFixed(0)} KB).`,
  );
}

function runEvaluate(args: string[], log: (line: string) => void): void {
  const { values } = parseArgs({
    args,
    options: {
      train: { type: "string" },
      test: { type: "string" },
      valid: { type: "string" },
      "oos-label": { type: "string" },
      language: { type: "string", default: "en" },
      content: { type: "string" },
      folds: { type: "string", default: "5" },
      errors: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      report: { type: "string" },
      probe: { type: "string", multiple: true },
      tier: { type: "string", default: "nlp" },
      model: { type: "string" },
    },
    strict: true,
  });
  if (values.probe !== undefined) {
    if (values.tier !== "nlp" && values.tier !== "rules")
      throw new UsageError(`--tier must be "rules" or "nlp", got "${values.tier}"`);
    const content = loadContent(resolve(values.content ?? "content"));
    const messages = values.probe.flatMap((file) =>
      readProbe(file, content.settings.languages, values.language),
    );
    let nlp: NlpClassifier | undefined;
    if (values.tier === "nlp")
      nlp =
        values.model === undefined
          ? trainFromContent(content).classifier
          : NlpClassifier.fromJSON(readModelFile(values.model));
    const report = runProbe({ rules: new RuleClassifier(content), nlp }, messages, {
      tier: values.tier,
      knownIntents: content.intents.map((intent) => intent.id),
      catalog: intentCatalog(content.intents),
    });
    log(
      values.json
        ? JSON.stringify(probeJson(report))
        : formatProbeReport(report, `realistic set ${values.probe.join(", ")}`),
    );
    return;
  }
  if (values.content !== undefined) {
    const folds = Number(values.folds);
    if (!Number.isInteger(folds) || folds < 2)
      throw new UsageError(`--folds must be a whole number >= 2, got "${values.folds}"`);
    const content = loadContent(resolve(values.content));
    const perLanguage = crossValidateContent(content, folds);
    if (values.json)
      log(
        JSON.stringify({
          folds,
          languages: Object.fromEntries(
            perLanguage.map(({ language, result, errors }) => [
              language,
              {
                utterances: result.utterances,
                accuracy: result.accuracy,
                macroF1: result.macroF1,
                top3Accuracy: result.top3Accuracy,
                classifyMsP50: result.latency.p50,
                classifyMsP99: result.latency.p99,
                declinedByBackground: errors.filter((e) => e.got === OUT_OF_SCOPE_ID).length,
                confusedPairs: result.confusedPairs,
                ...(values.errors ? { errors } : {}),
              },
            ]),
          ),
        }),
      );
    else
      for (const { language, result, errors } of perLanguage) {
        log(formatResult(`${folds}-fold cross-validation, ${language}`, result));
        if (values.errors) log(formatHeldOutErrors(errors));
      }
    if (values.report)
      write(
        values.report,
        renderReport({
          title: `Content pack ${folds}-fold cross-validation`,
          command: `lambdagram nlp evaluate ${args.join(" ")}`,
          sections: perLanguage.map(
            ({ language, result }): ReportSection => ({ title: `Language ${language}`, result }),
          ),
        }),
      );
    return;
  }
  if (values.train === undefined || values.test === undefined)
    throw new UsageError("evaluate needs --train and --test (or --content for cross-validation)");
  const language = values.language;
  const oosLabel = values["oos-label"];
  const { summary, result, trained } = evaluateSplits({
    train: readJsonl(values.train, language),
    test: readJsonl(values.test, language),
    ...(values.valid === undefined ? {} : { valid: readJsonl(values.valid, language) }),
    ...(oosLabel === undefined ? {} : { oosLabel }),
  });
  if (values.json) log(JSON.stringify(summary));
  else
    log(
      formatResult(`${values.test} (trained on ${values.train})`, result, {
        model: `${(Number(summary.modelBytes) / 1024).toFixed(0)} KB, trained in ${summary.trainMs} ms, loads in ${summary.loadMs} ms`,
        calibration: `${trained.model.meta.calibration}; temperature ${trained.model.temperature.toFixed(3)}, thresholds low ${trained.model.thresholds.low.toFixed(3)} / high ${trained.model.thresholds.high.toFixed(3)}`,
      }),
    );
  if (values.report)
    write(
      values.report,
      renderReport({
        title: `Intent classifier evaluation: ${values.test}`,
        command: `lambdagram nlp evaluate ${args.join(" ")}`,
        facts: {
          "trained on": `${values.train} (${trained.model.meta.examples} utterances)`,
          calibration: trained.model.meta.calibration,
          "train time": `${summary.trainMs} ms`,
          "model size": `${(Number(summary.modelBytes) / 1024).toFixed(0)} KB`,
          thresholds: `low ${trained.model.thresholds.low.toFixed(3)}, high ${trained.model.thresholds.high.toFixed(3)}`,
        },
        sections: [{ title: values.test, result }],
      }),
    );
}

/**
 * Runs one command (`train` or `evaluate`) with its arguments; returns the exit code. Errors that a user
 * can fix (usage, content, data files, training) are printed without a stack trace.
 */
export function main(
  argv: string[],
  log: (line: string) => void = console.log,
  error = console.error,
): number {
  const [command, ...args] = argv;
  try {
    if (command === "train") runTrain(args, log);
    else if (command === "evaluate") runEvaluate(args, log);
    else if (command === undefined || command === "help" || command === "--help") log(USAGE);
    else throw new UsageError(`unknown command "${command}"`);
    return 0;
  } catch (caught) {
    const known =
      caught instanceof UsageError ||
      caught instanceof ContentError ||
      caught instanceof DataFileError ||
      caught instanceof ModelTrainingError ||
      caught instanceof ModelFormatError ||
      (caught instanceof TypeError && "code" in caught && String(caught.code).startsWith("ERR_PARSE_ARGS"));
    if (!known) throw caught;
    error((caught as Error).message);
    return caught instanceof TypeError ? 2 : 1;
  }
}

if (process.argv[1] && /[\\/]nlp[\\/]cli\.[cm]?[tj]s$/.test(process.argv[1]))
  process.exitCode = main(process.argv.slice(2));

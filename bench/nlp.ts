/**
 * Intent-classification benchmark: our classifier against natural's BayesClassifier and NLP.js on CLINC150,
 * SNIPS and HWU64 (/work/shared/datasets, see its README), in one run, with the same splits. Prints a
 * Markdown table for docs/benchmarks.md ("NLP") plus our CLINC150 out-of-scope trade-off.
 *
 *   npx tsx bench/nlp.ts [--data /work/shared/datasets] [--sets clinc150,snips,hwu64] [--only ours] [--json]
 *   npx tsx bench/nlp.ts --small-data [--sizes 5,10,20] [--seeds 1,2,3] [--sets ...] [--only ours,bayes,nlpjs]
 *
 * `--small-data`: bot operators write 10-30 examples per intent, not 100. Each training split is subsampled
 * (seeded, stratified) to N examples per intent, in-scope intents only; every classifier is trained on the
 * same subsample and tested on the whole in-scope test split (best class, no thresholds); the table gives
 * the mean over the seeds, and the lowest and highest seed.
 *
 * Protocol: train on train.jsonl; calibrate and pick thresholds on valid.jsonl (HWU64 has none: a
 * stratified 10% of train is held out for it and not trained on); test once on test.jsonl. Never train on
 * test. NLP.js gets shuffled training data (it trains in insertion order and stops early).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stratifiedFolds, trainClassifier } from "../nlp/classifier";
import { evaluateSplits, readJsonl } from "../nlp/cli";
import { classificationMetrics, percentile } from "../nlp/evaluate";
import { seededRandom, shuffleInPlace } from "../nlp/model";
import type { LabelledUtterance } from "../nlp/types";

interface Row {
  set: string;
  classifier: string;
  accuracy: number;
  inScopeTop1?: number;
  inScopeAtThresholds?: number;
  oosRecall?: number;
  macroF1: number;
  trainSeconds: number;
  p50: number;
  p99: number;
  modelBytes: number;
}

interface Split {
  train: LabelledUtterance[];
  valid: LabelledUtterance[];
  test: LabelledUtterance[];
  oosLabel?: string;
}

function loadSet(root: string, name: string): Split {
  const dir = join(root, name);
  const train = readJsonl(join(dir, "train.jsonl"), "en");
  const test = readJsonl(join(dir, "test.jsonl"), "en");
  const oosLabel = train.some((u) => u.intent === "oos") ? "oos" : undefined;
  let valid: LabelledUtterance[];
  let training = train;
  try {
    valid = readJsonl(join(dir, "valid.jsonl"), "en");
  } catch {
    const held = new Set(
      stratifiedFolds(
        train.map((u) => u.intent),
        10,
        7,
      )[0],
    );
    valid = train.filter((_, i) => held.has(i));
    training = train.filter((_, i) => !held.has(i));
  }
  return { train: training, valid, test, ...(oosLabel ? { oosLabel } : {}) };
}

/** Metrics of a baseline from its plain label predictions (no thresholds: baselines have none that mean anything). */
function baselineRow(
  set: string,
  classifier: string,
  split: Split,
  predicted: string[],
  times: number[],
  trainMs: number,
  modelBytes: number,
): Row {
  const gold = split.test.map((u) => u.intent);
  const metrics = classificationMetrics(gold, predicted);
  const row: Row = {
    set,
    classifier,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    trainSeconds: trainMs / 1000,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    modelBytes,
  };
  if (split.oosLabel) {
    const inScope = gold.map((g, i) => [g, predicted[i]] as const).filter(([g]) => g !== split.oosLabel);
    const oos = gold.map((g, i) => [g, predicted[i]] as const).filter(([g]) => g === split.oosLabel);
    row.inScopeTop1 = inScope.filter(([g, p]) => g === p).length / inScope.length;
    row.oosRecall = oos.filter(([, p]) => p === split.oosLabel).length / oos.length;
  }
  return row;
}

function runBayes(set: string, split: Split): Row {
  const BayesClassifier = require("natural/lib/natural/classifiers/bayes_classifier");
  const started = performance.now();
  const bayes = new BayesClassifier();
  for (const u of split.train) bayes.addDocument(u.text, u.intent);
  bayes.train();
  const trainMs = performance.now() - started;
  const times: number[] = [];
  const predicted = split.test.map((u) => {
    const t = performance.now();
    const label = bayes.classify(u.text);
    times.push(performance.now() - t);
    return label;
  });
  const json = JSON.stringify({ ...bayes, docs: [] });
  return baselineRow(
    set,
    "natural BayesClassifier",
    split,
    predicted,
    times,
    trainMs,
    Buffer.byteLength(json),
  );
}

async function runNlpJs(set: string, split: Split): Promise<Row> {
  const { containerBootstrap } = require("@nlpjs/core");
  const { Nlp } = require("@nlpjs/nlp");
  const { LangEn } = require("@nlpjs/lang-en");
  const container = await containerBootstrap();
  container.use(Nlp);
  container.use(LangEn);
  const nlp = container.get("nlp");
  nlp.settings.autoSave = false;
  nlp.settings.autoLoad = false;
  nlp.addLanguage("en");
  const started = performance.now();
  for (const u of shuffleInPlace([...split.train], seededRandom(3))) nlp.addDocument("en", u.text, u.intent);
  // NLP.js prints every training epoch to stdout; keep the table clean.
  const log = console.log;
  console.log = () => {};
  try {
    await nlp.train();
  } finally {
    console.log = log;
  }
  const trainMs = performance.now() - started;
  const times: number[] = [];
  const predicted: string[] = [];
  for (const u of split.test) {
    const t = performance.now();
    const result = await nlp.process("en", u.text);
    times.push(performance.now() - t);
    predicted.push(result.intent === "None" ? (split.oosLabel ?? "None") : result.intent);
  }
  return baselineRow(set, "NLP.js 4", split, predicted, times, trainMs, Buffer.byteLength(nlp.export(true)));
}

function runOurs(set: string, split: Split): { row: Row; tradeOff: string[] } {
  const { summary, result } = evaluateSplits({
    train: split.train,
    test: split.test,
    valid: split.valid,
    ...(split.oosLabel ? { oosLabel: split.oosLabel } : {}),
  });
  const row: Row = {
    set,
    classifier: "lambdagram linear SVM",
    accuracy: result.accuracy,
    macroF1: result.macroF1,
    trainSeconds: Number(summary.trainMs) / 1000,
    p50: result.latency.p50,
    p99: result.latency.p99,
    modelBytes: Number(summary.modelBytes),
  };
  const tradeOff: string[] = [];
  if (result.oos) {
    row.inScopeTop1 = result.oos.inScopeAccuracyTop1;
    row.inScopeAtThresholds = result.oos.inScopeAccuracy;
    row.oosRecall = result.oos.oosRecall;
    const t = summary.thresholds as { low: number; high: number };
    tradeOff.push(
      `${set}: chosen on valid: low ${t.low.toFixed(3)}, high ${t.high.toFixed(3)}; temperature ${Number(summary.temperature).toFixed(4)}`,
      "| low threshold | in-scope accuracy | OOS recall | OOS precision |",
      "|---:|---:|---:|---:|",
      ...result.oos.operatingPoints.map(
        (p) =>
          `| ${p.low.toFixed(1)} | ${pct(p.inScopeAccuracy)} | ${pct(p.oosRecall)} | ${pct(p.oosPrecision)} |`,
      ),
    );
  }
  return { row, tradeOff };
}

const pct = (value: number | undefined) => (value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);

function table(rows: Row[]): string {
  const lines = [
    "| data set | classifier | accuracy | in-scope acc. (best class) | in-scope acc. at thresholds | OOS recall | macro-F1 | train | classify p50 / p99 | model |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows)
    lines.push(
      `| ${r.set} | ${r.classifier} | ${pct(r.accuracy)} | ${pct(r.inScopeTop1)} | ${pct(r.inScopeAtThresholds)} | ${pct(r.oosRecall)} | ${pct(r.macroF1)} | ${r.trainSeconds.toFixed(1)} s | ${r.p50.toFixed(3)} / ${r.p99.toFixed(3)} ms | ${(r.modelBytes / 1e6).toFixed(2)} MB |`,
    );
  return lines.join("\n");
}

/** `n` training utterances per intent (fewer when an intent has fewer), seeded; the out-of-scope label dropped. */
export function subsample(train: LabelledUtterance[], n: number, seed: number, oosLabel?: string) {
  const byIntent = new Map<string, LabelledUtterance[]>();
  for (const u of train)
    if (u.intent !== oosLabel) byIntent.set(u.intent, [...(byIntent.get(u.intent) ?? []), u]);
  const random = seededRandom(seed);
  return [...byIntent.keys()]
    .sort()
    .flatMap((intent) => shuffleInPlace([...(byIntent.get(intent) ?? [])], random).slice(0, n));
}

/** The small-data table: accuracy of each classifier at each size, same subsamples, in-scope test split. */
async function smallData(
  root: string,
  sets: string[],
  sizes: number[],
  seeds: number[],
  wants: (name: string) => boolean,
): Promise<string> {
  const names = ["ours", "bayes", "nlpjs"];
  const lines = [
    `| data set | examples per intent | lambdagram linear SVM | natural BayesClassifier | NLP.js 4 |`,
    "|---|---:|---:|---:|---:|",
  ];
  for (const set of sets) {
    const split = loadSet(root, set);
    const test = split.test.filter((u) => u.intent !== split.oosLabel);
    for (const size of sizes) {
      const scores: number[][] = names.map(() => []);
      let utterances = 0;
      for (const seed of seeds) {
        const train = subsample([...split.train, ...split.valid], size, seed, split.oosLabel);
        utterances = train.length;
        const small: Split = { train, valid: [], test };
        if (wants("ours")) {
          const { classifier } = trainClassifier(train, { calibrationFolds: 2, train: { seed } });
          const predicted = test.map((u) => classifier.explain(u.text, "en").candidates[0]?.intent ?? "");
          scores[0]?.push(
            classificationMetrics(
              test.map((u) => u.intent),
              predicted,
            ).accuracy,
          );
        }
        if (wants("bayes")) scores[1]?.push(runBayes(set, small).accuracy);
        if (wants("nlpjs")) scores[2]?.push((await runNlpJs(set, small)).accuracy);
      }
      const cells = scores.map((values) =>
        values.length === 0
          ? "–"
          : `${pct(values.reduce((a, b) => a + b, 0) / values.length)} (${pct(Math.min(...values))}-${pct(Math.max(...values))})`,
      );
      lines.push(`| ${set} | ${size} (${utterances} utterances) | ${cells.join(" | ")} |`);
      console.error(`[bench] small data ${set} ${size}: ${cells.join(" / ")}`);
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: "/work/shared/datasets" },
      sets: { type: "string", default: "clinc150,snips,hwu64" },
      only: { type: "string" },
      json: { type: "boolean", default: false },
      "small-data": { type: "boolean", default: false },
      sizes: { type: "string", default: "5,10,20" },
      seeds: { type: "string", default: "1,2,3" },
    },
  });
  if (values["small-data"]) {
    const only = values.only?.split(",");
    console.log(
      await smallData(
        values.data,
        values.sets.split(","),
        values.sizes.split(",").map(Number),
        values.seeds.split(",").map(Number),
        (name) => !only || only.includes(name),
      ),
    );
    return;
  }
  const rows: Row[] = [];
  const notes: string[] = [];
  const only = values.only?.split(",");
  const wants = (name: string) => !only || only.includes(name);
  for (const set of values.sets.split(",")) {
    const split = loadSet(values.data, set);
    console.error(
      `[bench] ${set}: ${split.train.length} train, ${split.valid.length} valid, ${split.test.length} test`,
    );
    if (wants("ours")) {
      const { row, tradeOff } = runOurs(set, split);
      rows.push(row);
      notes.push(...tradeOff);
      console.error(`[bench] ${set} ours: ${pct(row.accuracy)} in ${row.trainSeconds.toFixed(1)} s`);
    }
    if (wants("bayes")) {
      rows.push(runBayes(set, split));
      console.error(`[bench] ${set} bayes done`);
    }
    if (wants("nlpjs")) {
      rows.push(await runNlpJs(set, split));
      console.error(`[bench] ${set} nlp.js done`);
    }
  }
  if (values.json) console.log(JSON.stringify(rows));
  else {
    console.log(table(rows));
    if (notes.length > 0)
      console.log(`\nOut-of-scope trade-off of our classifier on the test split:\n\n${notes.join("\n")}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

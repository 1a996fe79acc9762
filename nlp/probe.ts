/**
 * The realistic-set report (`nlp evaluate --probe`): what users *feel*, not what a classifier scores. Each
 * message goes through the bot's own path (`classifyTiered` then `replyFor`, nlp/decide.ts) and is counted
 * as right, clarified, offered others, declined or confidently wrong (see {@link Outcome}), per language and
 * per tag. Confidently wrong answers cost the most trust, so every one is listed. Pure: the CLI reads files.
 */
import {
  classifyTiered,
  type IntentCatalog,
  type Outcome,
  outcomeOf,
  type Reply,
  replyFor,
  type Tier,
  type TieredClassifiers,
} from "./decide";

/** One message of a realistic evaluation set. */
export interface ProbeMessage {
  text: string;
  /** The intent the writer meant, or the out-of-scope label (`oos`). */
  label: string;
  language: string;
  /** Free-form tags (`typo`, `no-diacritics`, `near-domain`, ...): the report counts outcomes per tag. */
  tags?: string[];
}

/** One message after the bot's decision. */
export interface ProbeResult extends ProbeMessage {
  reply: Reply;
  outcome: Outcome;
  /** The best candidate and its confidence, whatever the reply. */
  best?: string;
  confidence: number;
  decision: string;
}

/** Outcome counts of a group of messages, with the rates the targets are set on. */
export interface ProbeCounts {
  messages: number;
  right: number;
  clarified: number;
  offeredOthers: number;
  declined: number;
  confidentlyWrong: number;
  /** Confidently wrong messages / all messages. */
  confidentlyWrongRate: number;
  inScope: number;
  /** In-scope messages answered with their intent / in-scope messages. */
  inScopeRightRate: number;
  /** In-scope messages answered or clarified with their intent / in-scope messages. */
  inScopeReachedRate: number;
  oos: number;
  /** Out-of-scope messages declined / out-of-scope messages. */
  oosDeclinedRate: number;
}

/** The whole report. */
export interface ProbeReport {
  tier: Tier;
  overall: ProbeCounts;
  languages: Record<string, ProbeCounts>;
  tags: Record<string, ProbeCounts>;
  /** Labels of the set that the content pack does not have (their messages can never be right). */
  unknownLabels: string[];
  /** Every confidently wrong message, with what the bot answered. */
  confidentlyWrong: ProbeResult[];
  /** In-scope messages declined, and "did you mean" that missed: the rest of the confusion. */
  declined: ProbeResult[];
  offeredOthers: ProbeResult[];
  /** gold -> what it got (intent answered, `clarify`, `decline`): count, most frequent first. */
  confusion: { label: string; got: string; count: number }[];
}

/** Counts outcomes; rates are 0 for empty groups. */
export function countOutcomes(results: ProbeResult[], oosLabel = "oos"): ProbeCounts {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  const inScope = results.filter((r) => r.label !== oosLabel);
  const oos = results.filter((r) => r.label === oosLabel);
  const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);
  const confidentlyWrong = count("confidentlyWrong");
  return {
    messages: results.length,
    right: count("right"),
    clarified: count("clarified"),
    offeredOthers: count("offeredOthers"),
    declined: count("declined"),
    confidentlyWrong,
    confidentlyWrongRate: rate(confidentlyWrong, results.length),
    inScope: inScope.length,
    inScopeRightRate: rate(inScope.filter((r) => r.outcome === "right").length, inScope.length),
    inScopeReachedRate: rate(
      inScope.filter((r) => r.outcome === "right" || r.outcome === "clarified").length,
      inScope.length,
    ),
    oos: oos.length,
    oosDeclinedRate: rate(oos.filter((r) => r.outcome === "right").length, oos.length),
  };
}

/** What a reply was, in one word for the confusion table: the intent answered, `clarify` or `decline`. */
export function describeReply(reply: Reply): string {
  return reply.kind === "answer" ? reply.intent : reply.kind;
}

/**
 * Runs every message through the bot's decision with the given tier and reports. `knownIntents` are the
 * intents of the content pack (answers exist only for those).
 */
export function runProbe(
  classifiers: TieredClassifiers,
  messages: ProbeMessage[],
  options: { tier?: Tier; knownIntents: Iterable<string>; oosLabel?: string; catalog?: IntentCatalog },
): ProbeReport {
  const tier = options.tier ?? "nlp";
  const oosLabel = options.oosLabel ?? "oos";
  const known = new Set(options.knownIntents);
  const results: ProbeResult[] = messages.map((message) => {
    const classification = classifyTiered(classifiers, tier, message.text, message.language, options.catalog);
    const reply = replyFor(classification, (id) => known.has(id));
    const [best] = classification.candidates;
    return {
      ...message,
      reply,
      outcome: outcomeOf(reply, message.label, oosLabel),
      ...(best ? { best: best.intent } : {}),
      confidence: best?.confidence ?? 0,
      decision: classification.decision,
    };
  });
  const group = (key: (r: ProbeResult) => string[]) => {
    const groups = new Map<string, ProbeResult[]>();
    for (const r of results) for (const k of key(r)) groups.set(k, [...(groups.get(k) ?? []), r]);
    return Object.fromEntries(
      [...groups.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, rs]) => [k, countOutcomes(rs, oosLabel)]),
    );
  };
  const confusion = new Map<string, number>();
  for (const r of results)
    if (r.outcome !== "right") {
      const key = `${r.label}\u0000${describeReply(r.reply)}`;
      confusion.set(key, (confusion.get(key) ?? 0) + 1);
    }
  return {
    tier,
    overall: countOutcomes(results, oosLabel),
    languages: group((r) => [r.language]),
    tags: group((r) => r.tags ?? []),
    unknownLabels: [...new Set(messages.map((m) => m.label))]
      .filter((label) => label !== oosLabel && !known.has(label))
      .sort(),
    confidentlyWrong: results.filter((r) => r.outcome === "confidentlyWrong"),
    declined: results.filter((r) => r.outcome === "declined"),
    offeredOthers: results.filter((r) => r.outcome === "offeredOthers"),
    confusion: [...confusion.entries()]
      .map(([key, count]) => {
        const [label, got] = key.split("\u0000") as [string, string];
        return { label, got, count };
      })
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label) || a.got.localeCompare(b.got)),
  };
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The human-readable report: a table per language and tag, then every confidently wrong message. */
export function formatProbeReport(report: ProbeReport, title: string): string {
  const lines = [`== ${title} (tier: ${report.tier})`];
  const header = `  ${"".padEnd(16)} ${"messages".padStart(8)} ${"right".padStart(6)} ${"clarified".padStart(9)} ${"others".padStart(6)} ${"declined".padStart(8)} ${"conf.wrong".padStart(10)} ${"wrong %".padStart(7)} ${"in-scope right".padStart(14)} ${"oos declined".padStart(12)}`;
  const row = (name: string, c: ProbeCounts) =>
    `  ${name.padEnd(16)} ${String(c.messages).padStart(8)} ${String(c.right).padStart(6)} ${String(c.clarified).padStart(9)} ${String(c.offeredOthers).padStart(6)} ${String(c.declined).padStart(8)} ${String(c.confidentlyWrong).padStart(10)} ${pct(c.confidentlyWrongRate).padStart(7)} ${pct(c.inScopeRightRate).padStart(14)} ${pct(c.oosDeclinedRate).padStart(12)}`;
  lines.push(header);
  for (const [language, counts] of Object.entries(report.languages)) lines.push(row(language, counts));
  lines.push(row("overall", report.overall));
  if (Object.keys(report.tags).length > 0) {
    lines.push("by tag:");
    for (const [tag, counts] of Object.entries(report.tags)) lines.push(row(tag, counts));
  }
  if (report.unknownLabels.length > 0)
    lines.push(`labels the content pack lacks (never right): ${report.unknownLabels.join(", ")}`);
  lines.push(`confidently wrong (${report.confidentlyWrong.length}):`);
  for (const r of report.confidentlyWrong)
    lines.push(
      `  [${r.language}] ${JSON.stringify(r.text)}  meant ${r.label}, got ${describeReply(r.reply)} (${r.decision}, ${r.confidence.toFixed(2)})`,
    );
  if (report.confusion.length > 0) {
    lines.push("what the rest got (meant -> got: count):");
    for (const c of report.confusion.slice(0, 30)) lines.push(`  ${c.label} -> ${c.got}: ${c.count}`);
  }
  return lines.join("\n");
}

/**
 * Questionnaire results as Telegram text in the reader's language: a heading with the completions, then per
 * question its prompt and either the count (and share) of each choice with its label, the average, or how many
 * wrote an answer. Pure: the translator and the content come in as arguments.
 */
import type { Questionnaire } from "../../content/schema";
import type { Translate } from "../i18n";
import { pick } from "../i18n";
import type { NumberSummary, QuestionnaireResults, QuestionResult } from "./aggregate";

/** Telegram's limit on one message. */
const maxMessageLength = 4096;

/** What the text needs besides the results: the content, the reader's language and translator. */
export interface ResultsTextOptions {
  questionnaire: Questionnaire;
  language: string;
  defaultLanguage: string;
  t: Translate;
}

function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
}

function averageLine(numbers: NumberSummary, options: ResultsTextOptions): string {
  const { language, t } = options;
  return t("results.average", {
    average: formatNumber(numbers.average, language),
    min: formatNumber(numbers.min, language),
    max: formatNumber(numbers.max, language),
  });
}

function questionBlock(result: QuestionResult, options: ResultsTextOptions): string {
  const { questionnaire, language, defaultLanguage, t } = options;
  const question = questionnaire.questions.find((q) => q.id === result.id);
  const prompt = question ? pick(question.prompt, language, defaultLanguage) : result.id;
  const lines = [`<b>${escapeHtml(prompt)}</b>`];
  if (result.answered === 0) {
    lines.push(t("results.noAnswers"));
    return lines.join("\n");
  }
  if (result.type === "choice" || result.type === "multi") {
    const options = question && "options" in question ? question.options : [];
    for (const count of result.counts) {
      const option = options.find((o) => o.value === count.value);
      const label = option ? pick(option.label, language, defaultLanguage) : count.value;
      const share = Math.round((count.count / result.answered) * 100);
      lines.push(`${escapeHtml(label)}: ${count.count} (${share}%)`);
    }
    if (result.type === "multi") lines.push(t("results.multiAnswered", { count: result.answered }));
  }
  if ((result.type === "choice" || result.type === "integer") && result.numbers)
    lines.push(averageLine(result.numbers, options));
  if (result.type === "integer") lines.push(t("results.answered", { count: result.answered }));
  if (result.type === "text") lines.push(t("results.textAnswers", { count: result.answered }));
  return lines.join("\n");
}

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The results as HTML messages, each under Telegram's 4,096 characters (blocks are never split; a new message
 * starts when the next block would not fit).
 */
export function resultsMessages(results: QuestionnaireResults, options: ResultsTextOptions): string[] {
  const { questionnaire, language, defaultLanguage, t } = options;
  const title = escapeHtml(pick(questionnaire.title, language, defaultLanguage));
  if (results.completions === 0) return [t("results.empty", { title })];
  const older = results.completions - (results.byVersion[String(results.version)] ?? 0);
  const heading = [
    t("results.heading", { title, count: results.completions, version: results.version }),
    ...(older > 0 ? [t("results.olderVersions", { count: older })] : []),
  ].join("\n");
  const messages: string[] = [];
  let current = heading;
  for (const result of results.questions) {
    const block = questionBlock(result, options);
    if (current.length + 2 + block.length > maxMessageLength) {
      messages.push(current);
      current = block.slice(0, maxMessageLength);
    } else current = `${current}\n\n${block}`;
  }
  messages.push(current);
  return messages;
}

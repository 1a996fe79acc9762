/**
 * The questionnaire engine: pure functions over content and {@link FormProgress}, no Telegram.
 * It validates typed answers, advances the form and formats the summary; the feature module renders it.
 */
import type { Question, Questionnaire } from "../../../content/schema";
import { matchKey } from "../../../nlp/normalize";
import type { MessageParams } from "../../i18n";
import { pick } from "../../i18n";
import type { AnswerValue, FormProgress } from "../../storage/port";

/** A parsed answer, or the message key (and parameters) of the re-ask that explains what is expected. */
export type AnswerCheck =
  | { ok: true; value: AnswerValue }
  | { ok: false; problem: string; params: MessageParams };

/** Starts a run of a questionnaire. */
export function startProgress(questionnaire: Questionnaire, runId: string, now: Date): FormProgress {
  return {
    questionnaireId: questionnaire.id,
    version: questionnaire.version,
    runId,
    index: 0,
    answers: {},
    answeredAt: {},
    startedAt: now.toISOString(),
    phase: "asking",
  };
}

/** True when stored progress no longer fits the content (questionnaire changed or removed). */
export function isOutdated(questionnaire: Questionnaire | undefined, progress: FormProgress): boolean {
  return (
    !questionnaire ||
    questionnaire.version !== progress.version ||
    progress.index >= questionnaire.questions.length + 1
  );
}

/** The question being asked, or undefined when the form is at its summary. */
export function currentQuestion(questionnaire: Questionnaire, progress: FormProgress): Question | undefined {
  return progress.phase === "confirming" ? undefined : questionnaire.questions[progress.index];
}

/** Validates a typed answer against the question's type and limits. */
export function parseTypedAnswer(question: Question, input: string): AnswerCheck {
  const text = input.normalize("NFKC").trim();
  switch (question.type) {
    case "text":
      return text.length >= question.minLength && text.length <= question.maxLength
        ? { ok: true, value: text }
        : {
            ok: false,
            problem: "validation.text",
            params: { min: question.minLength, max: question.maxLength },
          };
    case "integer": {
      const value = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
      return Number.isInteger(value) && value >= question.min && value <= question.max
        ? { ok: true, value }
        : { ok: false, problem: "validation.integer", params: { min: question.min, max: question.max } };
    }
    case "choice": {
      const option = findOption(question.options, text);
      return option ? { ok: true, value: option } : { ok: false, problem: "validation.choice", params: {} };
    }
    case "multi": {
      const parts = text
        .split(/[,;、，]+/u)
        .map((part) => part.trim())
        .filter(Boolean);
      const values = parts.map((part) => findOption(question.options, part));
      const chosen = [...new Set(values.filter((value): value is string => value !== undefined))];
      return values.length > 0 && chosen.length === values.length && chosen.length >= question.minSelected
        ? { ok: true, value: chosen }
        : { ok: false, problem: "validation.multi", params: { min: question.minSelected } };
    }
  }
}

/** Checks a pressed option value (buttons carry values, so only staleness can make them wrong). */
export function parseOptionValue(question: Question, value: string): AnswerCheck {
  if (question.type === "choice" && question.options.some((option) => option.value === value))
    return { ok: true, value };
  return { ok: false, problem: "validation.choice", params: {} };
}

/** Checks a several-of selection when the user presses Done. */
export function checkSelection(question: Question, selection: readonly string[]): AnswerCheck {
  if (question.type !== "multi") return { ok: false, problem: "validation.choice", params: {} };
  const valid = selection.filter((value) => question.options.some((option) => option.value === value));
  return valid.length >= question.minSelected
    ? { ok: true, value: valid }
    : { ok: false, problem: "validation.multi", params: { min: question.minSelected } };
}

/** Matches typed text against option values and labels in every language, ignoring case and accents. */
function findOption(
  options: Extract<Question, { type: "choice" | "multi" }>["options"],
  text: string,
): string | undefined {
  const key = matchKey(text);
  if (!key) return undefined;
  for (const option of options) {
    if (matchKey(option.value) === key) return option.value;
    if (Object.values(option.label).some((label) => matchKey(label) === key)) return option.value;
  }
  return undefined;
}

/**
 * Records an answer (or a skip, with `value` undefined) and moves on: to the next question while
 * asking, back to the summary after an edit, to the summary after the last question.
 */
export function recordAnswer(
  questionnaire: Questionnaire,
  progress: FormProgress,
  value: AnswerValue | undefined,
  now: Date,
): FormProgress {
  const question = questionnaire.questions[progress.index];
  if (!question) return { ...progress, phase: "confirming" };
  const answers = { ...progress.answers };
  const answeredAt = { ...progress.answeredAt };
  if (value === undefined) delete answers[question.id];
  else answers[question.id] = value;
  answeredAt[question.id] = now.toISOString();
  const next = { ...progress, answers, answeredAt, selection: undefined };
  if (progress.phase === "editing" || progress.index + 1 >= questionnaire.questions.length)
    return { ...next, phase: "confirming", index: questionnaire.questions.length };
  return { ...next, index: progress.index + 1 };
}

/** Human-readable answer: option labels in the user's language, lists joined. */
export function formatAnswer(
  question: Question,
  value: AnswerValue | undefined,
  language: string,
  fallback: string,
): string {
  if (value === undefined) return "—";
  if (question.type === "choice" || question.type === "multi") {
    const values = Array.isArray(value) ? value : [String(value)];
    return values
      .map((v) => {
        const option = question.options.find((o) => o.value === v);
        return option ? pick(option.label, language, fallback) : v;
      })
      .join(", ");
  }
  return String(value);
}

/** The summary lines shown before confirming: "prompt → answer" per question. */
export function summaryLines(
  questionnaire: Questionnaire,
  progress: FormProgress,
  language: string,
  fallback: string,
): string[] {
  return questionnaire.questions.map(
    (question) =>
      `• ${pick(question.prompt, language, fallback)}\n   → ${formatAnswer(question, progress.answers[question.id], language, fallback)}`,
  );
}

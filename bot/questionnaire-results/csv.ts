/**
 * Questionnaire responses as CSV (RFC 4180), built row by row so an export can be written while the responses
 * are paged in. Safe to open in a spreadsheet: a UTF-8 byte order mark first (Excel otherwise reads UTF-8 as
 * the system code page and garbles Vietnamese and Chinese), and any text cell a spreadsheet would run as a
 * formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'` (OWASP's
 * CSV-injection advice). Pure: no Telegram, no storage.
 */
import type { Questionnaire } from "../../content/schema";
import type { AnswerValue, QuestionnaireSubmission } from "../storage/port";

/** The UTF-8 byte order mark that starts every export. */
export const csvBom = "\uFEFF";

/** RFC 4180's line break. */
const lineBreak = "\r\n";

/** Separator of the values of a several-of answer inside one cell. */
export const multiValueSeparator = "; ";

/** Columns before the questions' own, in this order. */
export const fixedColumns = ["submittedAt", "questionnaireVersion"] as const;

/** Leading characters that make a spreadsheet treat a cell as a formula (or that hide one). */
const formulaStart = /^[=+\-@\t\r]/;

/** One CSV field: `'`-prefixed if it could run as a formula (text only), quoted when it holds `"`, `,` or a line break. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return "";
  let text = String(value);
  // A number is written by us, never typed by a user: -3 stays a number.
  if (typeof value !== "number" && formulaStart.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record (no line break). */
export function csvRecord(fields: readonly (string | number | undefined)[]): string {
  return fields.map(csvField).join(",");
}

/** An answer as one cell's value: several-of answers joined with {@link multiValueSeparator}. */
function cellValue(value: AnswerValue | undefined): string | number | undefined {
  if (Array.isArray(value)) return value.join(multiValueSeparator);
  return value;
}

/** The header line (with its line break): the fixed columns, then one column per question id in content order. */
export function csvHeader(questionnaire: Questionnaire): string {
  return csvRecord([...fixedColumns, ...questionnaire.questions.map((question) => question.id)]) + lineBreak;
}

/**
 * One response as a line (with its line break), cells in {@link csvHeader}'s order. Answers to questions the
 * current content no longer has are left out (the version column says which questions the response saw).
 */
export function csvRow(
  questionnaire: Questionnaire,
  submission: Pick<QuestionnaireSubmission, "answers" | "questionnaireVersion" | "submittedAt">,
): string {
  return (
    csvRecord([
      submission.submittedAt,
      submission.questionnaireVersion,
      ...questionnaire.questions.map((question) => cellValue(submission.answers[question.id])),
    ]) + lineBreak
  );
}

/** The file name of an export, e.g. `course-feedback-2026-12-06.csv`. */
export function csvFileName(questionnaireId: string, now: Date): string {
  return `${questionnaireId}-${now.toISOString().slice(0, 10)}.csv`;
}

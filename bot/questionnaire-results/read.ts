/**
 * Results and CSV exports read page by page from the `responses` index (`answers.listResponses`): only one
 * page of responses is in memory at a time, the CSV grows as text rows, and an export stops at a byte budget
 * (API Gateway's 6 MB response, Telegram's 50 MB upload) with the cursor to continue from.
 */
import type { Questionnaire } from "../../content/schema";
import type { AnswerStore } from "../storage/port";
import { type QuestionnaireResults, ResultsTally } from "./aggregate";
import { csvBom, csvHeader, csvRow } from "./csv";

/** The one storage call results and exports need. */
export type ResponseReader = Pick<AnswerStore, "listResponses">;

/** Responses per Query page when aggregating (DynamoDB also ends a page at 1 MB): few requests. */
export const resultsPageSize = 1000;

/**
 * Responses per Query page of an export: smaller, because a page's items and its CSV rows are in memory together
 * (bench/export.ts: 10,000 responses peak at ~10 MB less RSS than with pages of 1,000, for ~1.5× the time).
 */
export const exportPageSize = 250;

/** Pages every response of `questionnaire` into a {@link ResultsTally}. */
export async function collectResults(
  reader: ResponseReader,
  questionnaire: Questionnaire,
  pageSize = resultsPageSize,
): Promise<QuestionnaireResults> {
  const tally = new ResultsTally(questionnaire);
  let cursor: string | undefined;
  do {
    const page = await reader.listResponses(questionnaire.id, {
      limit: pageSize,
      ...(cursor ? { cursor } : {}),
    });
    for (const submission of page.items) tally.add(submission);
    cursor = page.cursor;
  } while (cursor);
  return tally.results();
}

/** One CSV file of an export: the text, its size, its row count and where the next part starts (if any). */
export interface CsvPart {
  /** BOM, header line and one line per response. */
  csv: string;
  /** UTF-8 size of `csv`. */
  bytes: number;
  rows: number;
  /** Set when the budget ran out before the last response: pass it back as `cursor` for the next part. */
  nextCursor?: string;
}

/** Options of {@link exportCsv}. */
export interface ExportOptions {
  /** Start after this cursor (a previous part's `nextCursor`); default: the first response. */
  cursor?: string;
  /** Largest size allowed (see `measure`); the part ends at the last whole page that fits. */
  maxBytes: number;
  pageSize?: number;
  /** Asked before each page: true stops the part there (e.g. the Lambda is running out of time). */
  shouldStop?: () => boolean;
  /**
   * How a piece of CSV counts against `maxBytes`; default its UTF-8 size. The admin API counts the JSON-escaped
   * size, which is what Lambda's response limit sees.
   */
  measure?: (text: string) => number;
}

/**
 * Writes the responses of `questionnaire` as CSV, a page at a time, until the last response or the byte budget.
 * A page that does not fit is not written and its cursor becomes `nextCursor`, so parts never overlap or skip a
 * row; a first page too big on its own is read again in smaller pages. Every part is a whole CSV file (BOM and
 * header included) that opens on its own.
 */
export async function exportCsv(
  reader: ResponseReader,
  questionnaire: Questionnaire,
  options: ExportOptions,
): Promise<CsvPart> {
  const measure = options.measure ?? ((text: string) => Buffer.byteLength(text));
  const chunks = [csvBom, csvHeader(questionnaire)];
  let size = chunks.reduce((sum, chunk) => sum + measure(chunk), 0);
  let rows = 0;
  let cursor = options.cursor;
  let limit = options.pageSize ?? exportPageSize;
  for (;;) {
    if (rows > 0 && options.shouldStop?.()) return finish(chunks, rows, cursor);
    const page = await reader.listResponses(questionnaire.id, { limit, ...(cursor ? { cursor } : {}) });
    const lines = page.items.map((submission) => csvRow(questionnaire, submission));
    const pageSize = lines.reduce((sum, line) => sum + measure(line), 0);
    if (size + pageSize > options.maxBytes) {
      if (rows === 0 && limit > 1) {
        limit = Math.max(1, Math.floor(limit / 2));
        continue;
      }
      if (rows === 0) throw new ResponseTooLargeError(questionnaire.id, pageSize, options.maxBytes);
      return finish(chunks, rows, cursor);
    }
    chunks.push(...lines);
    size += pageSize;
    rows += lines.length;
    if (!page.cursor) return finish(chunks, rows, undefined);
    cursor = page.cursor;
  }
}

function finish(chunks: string[], rows: number, nextCursor: string | undefined): CsvPart {
  const csv = chunks.join("");
  return { csv, bytes: Buffer.byteLength(csv), rows, ...(nextCursor ? { nextCursor } : {}) };
}

/** Thrown when one response alone is over an export's byte budget (only with an unreasonably small budget). */
export class ResponseTooLargeError extends Error {
  constructor(questionnaireId: string, bytes: number, maxBytes: number) {
    super(
      `A response of ${questionnaireId} takes ${bytes} bytes of CSV, over the ${maxBytes}-byte budget of one ` +
        "export part; raise the budget (it must hold at least one response).",
    );
    this.name = "ResponseTooLargeError";
  }
}

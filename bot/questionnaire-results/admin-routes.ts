/**
 * The questionnaire routes of the admin API (bot/admin-api/router.ts checks the token first):
 * - `GET /admin/questionnaires` → the questionnaires of the content pack (id, version, title, questions);
 * - `GET /admin/questionnaires/{id}/responses?cursor=&limit=` → a JSON page `{ items, cursor? }` of completed
 *   responses, oldest first; with `Accept: text/csv` the whole export as one CSV file, paged from DynamoDB into
 *   the body. A CSV that would not fit one Lambda response (6 MB, counted as the JSON-escaped body Lambda
 *   returns) or one invocation's time ends at a page boundary with `x-next-cursor` / `Link: rel="next"`: ask
 *   again with `?cursor=` for the next part (each part is a whole CSV file, header included);
 * - `GET /admin/questionnaires/{id}/results?lang=` → the aggregate as JSON, with titles and labels in `lang`.
 * An id the content does not have is 404; a bad cursor or limit is 400. Responses carry no user id.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Content, Questionnaire } from "../../content/schema";
import {
  type AdminHttpResult,
  InvalidAdminRequestError,
  json,
  problem,
  queryParameter,
} from "../admin-api/http";
import type { AdminRoutes } from "../admin-api/router";
import { pick } from "../i18n";
import type { Clock, Logger } from "../ports";
import { InvalidStorageArgumentError } from "../storage/errors";
import type { QuestionnaireSubmission } from "../storage/port";
import type { QuestionnaireResults } from "./aggregate";
import { csvFileName } from "./csv";
import { collectResults, exportCsv, type ResponseReader } from "./read";

/** Largest JSON page of responses. */
export const maxResponsesPageSize = 1000;

/**
 * Largest CSV body of one admin API answer, counted as the JSON-escaped string Lambda returns: under Lambda's
 * 6 MB (6,291,456 bytes) synchronous response limit with room for the envelope and headers.
 */
export const adminCsvMaxBytes = 5 * 1024 * 1024;

/** Time one CSV answer may spend reading before it returns what it has (the admin API Lambda runs 10 s). */
export const adminCsvMaxMillis = 6_000;

/** A response as the admin API shows it: the answers and their time stamps, without the user's id. */
export interface ResponseView {
  responseId: string;
  questionnaireVersion: number;
  startedAt: string;
  submittedAt: string;
  answers: QuestionnaireSubmission["answers"];
}

function view(submission: QuestionnaireSubmission): ResponseView {
  return {
    responseId: submission.runId,
    questionnaireVersion: submission.questionnaireVersion,
    startedAt: submission.startedAt,
    submittedAt: submission.submittedAt,
    answers: submission.answers,
  };
}

/** The results with the questionnaire's words in `language`: what the operator view draws. */
export function describeResults(
  results: QuestionnaireResults,
  questionnaire: Questionnaire,
  language: string,
  defaultLanguage: string,
) {
  const word = (value: Record<string, string>) => pick(value, language, defaultLanguage);
  return {
    ...results,
    language,
    title: word(questionnaire.title),
    questions: results.questions.map((result) => {
      const question = questionnaire.questions.find((q) => q.id === result.id);
      const options = question && "options" in question ? question.options : [];
      return {
        ...result,
        prompt: question ? word(question.prompt) : result.id,
        ...("counts" in result
          ? {
              counts: result.counts.map((count) => {
                const option = options.find((o) => o.value === count.value);
                return { ...count, label: option ? word(option.label) : count.value };
              }),
            }
          : {}),
      };
    }),
  };
}

function pageLimit(event: APIGatewayProxyEventV2): number | undefined {
  const raw = queryParameter(event, "limit");
  if (raw === undefined || raw === "") return undefined;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxResponsesPageSize)
    throw new InvalidAdminRequestError(
      "limit",
      `limit must be a whole number from 1 to ${maxResponsesPageSize}.`,
    );
  return limit;
}

function wantsCsv(event: APIGatewayProxyEventV2): boolean {
  const accept = event.headers?.accept ?? event.headers?.Accept ?? "";
  return /\btext\/csv\b/i.test(accept);
}

/** UTF-8 size of `text` once JSON-escaped in Lambda's response envelope (quotes and line breaks grow). */
function jsonEscapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/**
 * The questionnaire route group over the content and the responses index, both given as getters so a cold start
 * that serves another group's route loads neither.
 */
export function questionnaireResultsAdminRoutes(deps: {
  content: () => Content;
  answers: () => ResponseReader;
  clock: Clock;
  logger: Logger;
}): AdminRoutes {
  const { clock, logger } = deps;
  const find = (id: string | undefined) => deps.content().questionnaires.find((q) => q.id === id);
  const notFound = (id: string | undefined) =>
    problem(
      404,
      `No questionnaire has the id "${id ?? ""}"; GET /admin/questionnaires lists them (${deps
        .content()
        .questionnaires.map((q) => q.id)
        .join(", ")}).`,
    );
  const defaultLanguage = () => deps.content().settings.defaultLanguage;
  const languageOf = (event: APIGatewayProxyEventV2) => {
    const asked = queryParameter(event, "lang");
    return asked && deps.content().settings.languages.includes(asked) ? asked : defaultLanguage();
  };

  async function csvAnswer(
    event: APIGatewayProxyEventV2,
    questionnaire: Questionnaire,
  ): Promise<AdminHttpResult> {
    const cursor = queryParameter(event, "cursor") || undefined;
    const started = clock.now().getTime();
    const part = await exportCsv(deps.answers(), questionnaire, {
      maxBytes: adminCsvMaxBytes,
      measure: jsonEscapedBytes,
      shouldStop: () => clock.now().getTime() - started > adminCsvMaxMillis,
      ...(cursor ? { cursor } : {}),
    });
    logger.info("questionnaire exported through the admin API", {
      questionnaire: questionnaire.id,
      rows: part.rows,
      bytes: part.bytes,
      continued: part.nextCursor !== undefined,
    });
    const next: Record<string, string> = part.nextCursor
      ? {
          "x-next-cursor": part.nextCursor,
          link: `</admin/questionnaires/${questionnaire.id}/responses?cursor=${part.nextCursor}>; rel="next"`,
        }
      : {};
    return {
      statusCode: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${csvFileName(questionnaire.id, clock.now())}"`,
        "cache-control": "no-store",
        "x-response-count": String(part.rows),
        ...next,
      },
      body: part.csv,
    };
  }

  return {
    routes: {
      "GET /admin/questionnaires": async (event) => {
        const language = languageOf(event);
        return json(200, {
          items: deps.content().questionnaires.map((q) => ({
            id: q.id,
            version: q.version,
            title: pick(q.title, language, defaultLanguage()),
            questions: q.questions.map((question) => ({ id: question.id, type: question.type })),
          })),
        });
      },
      "GET /admin/questionnaires/{id}/responses": async (event, { id }) => {
        const questionnaire = find(id);
        if (!questionnaire) return notFound(id);
        if (wantsCsv(event)) return csvAnswer(event, questionnaire);
        const cursor = queryParameter(event, "cursor") || undefined;
        const limit = pageLimit(event);
        const page = await deps.answers().listResponses(questionnaire.id, {
          ...(cursor ? { cursor } : {}),
          ...(limit ? { limit } : {}),
        });
        return json(200, { items: page.items.map(view), ...(page.cursor ? { cursor: page.cursor } : {}) });
      },
      "GET /admin/questionnaires/{id}/results": async (event, { id }) => {
        const questionnaire = find(id);
        if (!questionnaire) return notFound(id);
        const results = await collectResults(deps.answers(), questionnaire);
        return json(200, describeResults(results, questionnaire, languageOf(event), defaultLanguage()));
      },
    },
    answerError: (error) =>
      error instanceof InvalidStorageArgumentError
        ? problem(
            400,
            "The cursor is not one this API returned; pass back `cursor` (or x-next-cursor) unchanged.",
            "cursor",
          )
        : undefined,
  };
}

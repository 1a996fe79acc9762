/**
 * `/export` sends a CSV file, but an update's replies are saved as JSON in the chat state before any is sent
 * (bot/replies.ts), and a file cannot go there. So the saved call is a *reference*:
 * `sendDocument { chat_id, document: { questionnaireExport: { id, language } } }`, and the file is built when
 * the call is sent, by a grammY API transformer this middleware puts on every update's `ctx.api` (ahead of the
 * conversation middleware, so a re-delivered update that resumes its replies builds it too).
 *
 * This keeps the replies' guarantee as it is: the document is a visible call like any `send*`, sent once in the
 * normal path, and on a re-delivery only if it was not marked sent (at most the one in-flight repeat, as for a
 * message). A storage failure while building is thrown as grammY's `HttpError` ("not sent now, may be later"),
 * which makes the webhook answer 503 and Telegram's re-delivery build and send it again.
 */
import { HttpError, InputFile, type MiddlewareFn, type RawApi, type Transformer } from "grammy";
import type { Content } from "../../content/schema";
import type { BotContext } from "../context";
import { pick, translator } from "../i18n";
import type { Clock } from "../ports";
import { StorageError } from "../storage/port";
import { csvFileName } from "./csv";
import { exportCsv, type ResponseReader } from "./read";

/** What the saved `sendDocument` call carries instead of a file. */
export interface ExportReference {
  questionnaireExport: { id: string; language: string };
}

/**
 * The largest CSV sent to Telegram (bots may upload 50 MB): it bounds the webhook's memory (the CSV text and its
 * bytes are both held while uploading) so the export fits a 128 MB function too. ~100,000 typical responses.
 */
export const telegramExportMaxBytes = 10 * 1024 * 1024;

/** Time the webhook spends reading responses for one file before it sends what it has (its limit is 8 s). */
export const telegramExportMaxMillis = 4_000;

/** The reference a feature queues as `document`. */
export function exportReference(id: string, language: string): ExportReference {
  return { questionnaireExport: { id, language } };
}

function referenceIn(payload: Record<string, unknown>): ExportReference["questionnaireExport"] | undefined {
  const document = payload.document as Partial<ExportReference> | undefined;
  const reference = document && typeof document === "object" ? document.questionnaireExport : undefined;
  return typeof reference?.id === "string" && typeof reference.language === "string" ? reference : undefined;
}

/** Thrown when a saved export names a questionnaire the content no longer has (it changed since /export). */
export class ExportedQuestionnaireGoneError extends Error {
  constructor(id: string) {
    super(
      `The export of questionnaire "${id}" was asked for, but the content has no such questionnaire now; ask again with /export.`,
    );
    this.name = "ExportedQuestionnaireGoneError";
  }
}

/** Builds the file (and its caption) of a saved export call. */
async function buildExport(
  deps: { content: Content; answers: ResponseReader; clock: Clock },
  payload: Record<string, unknown>,
  reference: ExportReference["questionnaireExport"],
): Promise<Record<string, unknown>> {
  const { content, answers, clock } = deps;
  const questionnaire = content.questionnaires.find((q) => q.id === reference.id);
  if (!questionnaire) throw new ExportedQuestionnaireGoneError(reference.id);
  const started = clock.now().getTime();
  let part: Awaited<ReturnType<typeof exportCsv>>;
  try {
    part = await exportCsv(answers, questionnaire, {
      maxBytes: telegramExportMaxBytes,
      shouldStop: () => clock.now().getTime() - started > telegramExportMaxMillis,
    });
  } catch (error) {
    if (error instanceof StorageError)
      throw new HttpError(`reading the responses failed: ${error.message}`, error);
    throw error;
  }
  const t = translator(content, reference.language);
  const title = pick(questionnaire.title, reference.language, content.settings.defaultLanguage);
  const caption = part.nextCursor
    ? t("export.partial", { title, count: part.rows, id: questionnaire.id })
    : t("export.caption", { title, count: part.rows });
  return {
    ...payload,
    document: new InputFile(Buffer.from(part.csv, "utf8"), csvFileName(questionnaire.id, clock.now())),
    caption,
  };
}

/**
 * Middleware (put before the conversation middleware) that makes this update's `ctx.api` turn saved export
 * references into CSV files as they are sent. Other calls pass through untouched.
 */
export function buildExportDocuments(): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const transformer: Transformer<RawApi> = async (prev, method, payload, signal) => {
      const raw = payload as unknown as Record<string, unknown>;
      const reference = method === "sendDocument" ? referenceIn(raw) : undefined;
      if (!reference) return prev(method, payload, signal);
      const { content, storage, clock } = ctx.deps;
      const built = await buildExport({ content, answers: storage.answers, clock }, raw, reference);
      return prev(method, built as unknown as typeof payload, signal);
    };
    ctx.api.config.use(transformer);
    return next();
  };
}

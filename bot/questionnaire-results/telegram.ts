/**
 * Questionnaire results in Telegram, for admins in a private chat:
 * - `/results <questionnaire>`: completions, and per question the counts per choice, the average or how many
 *   wrote an answer, in the admin's language (paged from the `responses` index, see read.ts);
 * - `/export <questionnaire>`: the responses as a CSV file (built when the reply is sent: export-document.ts).
 * Without an argument (or with an unknown one) each shows a button per questionnaire.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { Questionnaire } from "../../content/schema";
import { isAdmin, isPrivateChat } from "../access";
import { type CallbackCodec, callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { pick } from "../i18n";
import { acknowledge } from "../keyboards";
import { exportReference } from "./export-document";
import { resultsMessages } from "./format";
import { collectResults } from "./read";

function titleOf(ctx: BotContext, questionnaire: Questionnaire): string {
  return pick(questionnaire.title, ctx.lang, ctx.deps.content.settings.defaultLanguage);
}

/** May this update see results? Says why not when it may not (not an admin, or not a private chat). */
function allowed(ctx: BotContext): boolean {
  if (!isAdmin(ctx)) {
    ctx.deps.logger.warn("questionnaire results refused: not an admin", { userId: ctx.from?.id });
    ctx.say(ctx.t("results.refused"));
    return false;
  }
  if (!isPrivateChat(ctx)) {
    // Answers are personal data: they are shown to the admin alone, never to a group.
    ctx.say(ctx.t("results.privateOnly"));
    return false;
  }
  return true;
}

/** A button per questionnaire, each carrying `codec`'s datum for it. */
function chooser(ctx: BotContext, codec: CallbackCodec<string>): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const questionnaire of ctx.deps.content.questionnaires)
    keyboard.text(titleOf(ctx, questionnaire), codec.encode(questionnaire.id)).row();
  return keyboard;
}

/** The questionnaire a command names, or a chooser (and undefined) when it names none or an unknown one. */
function named(
  ctx: BotContext,
  argument: string,
  codec: CallbackCodec<string>,
  chooseKey: string,
): Questionnaire | undefined {
  const id = argument.trim();
  const questionnaire = id ? ctx.deps.content.questionnaires.find((q) => q.id === id) : undefined;
  if (questionnaire) return questionnaire;
  const text = id ? ctx.t("results.unknown", { id }) : ctx.t(chooseKey);
  ctx.say(text, { reply_markup: chooser(ctx, codec) });
  return undefined;
}

async function showResults(ctx: BotContext, questionnaire: Questionnaire): Promise<void> {
  const { storage, content } = ctx.deps;
  // Read once per update, even if a version conflict runs the update again.
  const results = await ctx.once(`results:${questionnaire.id}`, () =>
    collectResults(storage.answers, questionnaire),
  );
  const messages = resultsMessages(results, {
    questionnaire,
    language: ctx.lang,
    defaultLanguage: content.settings.defaultLanguage,
    t: ctx.t,
  });
  for (const message of messages) ctx.say(message, { parse_mode: "HTML" });
}

async function sendExport(ctx: BotContext, questionnaire: Questionnaire): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  const first = await ctx.once(`export:${questionnaire.id}`, () =>
    ctx.deps.storage.answers.listResponses(questionnaire.id, { limit: 1 }),
  );
  if (first.items.length === 0) {
    ctx.say(ctx.t("export.empty", { title: titleOf(ctx, questionnaire) }));
    return;
  }
  ctx.deps.logger.info("questionnaire export requested", { questionnaire: questionnaire.id });
  ctx.queue("sendChatAction", { chat_id: chatId, action: "upload_document" });
  ctx.queue("sendDocument", { chat_id: chatId, document: exportReference(questionnaire.id, ctx.lang) });
}

/** Composer: /results and /export with their questionnaire buttons. */
export function questionnaireResultsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("results", async (ctx) => {
    if (!allowed(ctx)) return;
    const questionnaire = named(ctx, ctx.match, callbackData.results, "results.choose");
    if (questionnaire) await showResults(ctx, questionnaire);
  });
  composer.command("export", async (ctx) => {
    if (!allowed(ctx)) return;
    const questionnaire = named(ctx, ctx.match, callbackData.exportResponses, "export.choose");
    if (questionnaire) await sendExport(ctx, questionnaire);
  });
  const onPress = (codec: CallbackCodec<string>, act: typeof showResults) =>
    onCallback(composer, codec, async (ctx, id) => {
      acknowledge(ctx);
      if (!allowed(ctx)) return;
      const questionnaire = ctx.deps.content.questionnaires.find((q) => q.id === id);
      if (questionnaire) await act(ctx, questionnaire);
      else ctx.say(ctx.t("results.unknown", { id }), { reply_markup: chooser(ctx, codec) });
    });
  onPress(callbackData.results, showResults);
  onPress(callbackData.exportResponses, sendExport);
  return composer;
}

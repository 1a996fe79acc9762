/**
 * Q&A and chit-chat: free text is classified by the chat's tier (rules or NLP) and answered from
 * content. Exact rules always win; an unsure NLP guess offers "did you mean" buttons; nothing
 * understood gets a friendly fallback with the menu. What it could not answer goes to the inbox (bot/inbox/):
 * a declined message in either tier (in rules mode too: what no keyword caught is what an operator adds next), a
 * "None of these", and a 👎 under a Q&A answer in NLP mode.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Content, Intent } from "../../content/schema";
import { metricNames } from "../../contracts/metrics";
import { classifyTiered, type IntentCatalog, intentCatalog, replyFor } from "../../nlp/decide";
import type { Classification } from "../../nlp/types";
import { type CallbackContext, callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { offerHandoff } from "../handoff/feature";
import { pick } from "../i18n";
import {
  askedQuestion,
  feedbackRow,
  keepDeclined,
  keepNoneOfThese,
  rememberUnsure,
  takesFeedback,
  takeUnsure,
} from "../inbox/feedback";
import { acknowledge, grid, mainMenu, retireKeyboard } from "../keyboards";
import { countClassified } from "../stats/activity";
import type { AskedQuestion } from "../storage/port";

const catalogs = new WeakMap<Content, IntentCatalog>();

/** The intent catalog of a content pack, built once per pack (a warm Lambda reuses it). */
function catalogOf(content: Content): IntentCatalog {
  let catalog = catalogs.get(content);
  if (!catalog) {
    catalog = intentCatalog(content.intents);
    catalogs.set(content, catalog);
  }
  return catalog;
}

/** The tier in force for this chat. */
export function modeOf(ctx: BotContext) {
  return ctx.session.mode ?? ctx.deps.config.defaultMode;
}

/**
 * Classifies text with the chat's tier. In NLP mode the rule tier runs first and wins when exact;
 * without a trained NLP model the rule tier answers alone.
 */
export function classify(ctx: BotContext, text: string): Classification {
  return classifyTiered(ctx.deps.classifiers, modeOf(ctx), text, ctx.lang, catalogOf(ctx.deps.content));
}

/**
 * The classification of text that is unmistakably something other than an answer (an exact rule, or a
 * confident intent unless `strict`), or undefined. Callers pass it on to {@link answerFreeText}.
 * Strict (a free-text answer is expected): only an exact phrase of a question interrupts; small talk ("ok",
 * "thanks") and pattern matches such as "emoji only" (confidence below 1) are fine answers to "anything to add?".
 */
export function clearIntent(ctx: BotContext, text: string, strict: boolean): Classification | undefined {
  const result = classify(ctx, text);
  const [best] = result.candidates;
  if (result.decision === "exact")
    return !strict ||
      (best?.confidence === 1 && catalogOf(ctx.deps.content).kindOf(best.intent) !== "chitchat")
      ? result
      : undefined;
  return !strict && result.decision === "confident" ? result : undefined;
}

function findIntent(ctx: BotContext, id: string): Intent | undefined {
  return ctx.deps.content.intents.find((intent) => intent.id === id);
}

/** The button under a help answer that does what the user asked for (existing callbacks, nothing new). */
function actionKeyboard(ctx: BotContext, action: NonNullable<Intent["action"]>): InlineKeyboard {
  switch (action) {
    case "subscribe":
      return new InlineKeyboard().text(ctx.t("tips.subscribe"), callbackData.subscribe.data);
    case "unsubscribe":
      return new InlineKeyboard().text(ctx.t("tips.unsubscribe"), callbackData.unsubscribe.data);
    case "tipTime":
      return new InlineKeyboard().text(ctx.t("tips.changeHour"), callbackData.tipHour.encode("pick"));
    case "language":
      return new InlineKeyboard().text(ctx.t("settings.language"), callbackData.menu.encode("language"));
    case "mode":
      return new InlineKeyboard().text(ctx.t("settings.mode"), callbackData.menu.encode("mode"));
    case "questionnaire":
      return new InlineKeyboard().text(ctx.t("menu.questionnaires"), callbackData.menu.encode("forms"));
    case "settings":
      return new InlineKeyboard().text(ctx.t("menu.settings"), callbackData.menu.encode("settings"));
    case "help":
      // "What can you do?": every capability as a button (Help among them).
      return mainMenu(ctx);
    case "forget":
      // "Delete my data": the /forget confirmation (bot/features/privacy.ts).
      return new InlineKeyboard().text(ctx.t("privacy.forgetButton"), callbackData.forgetAsk.data);
  }
}

/**
 * The keyboard under an answer: the "📖 Docs" link to the answer's official source, the button that does
 * what a help intent was asked, then the related questions, one per row. Undefined when there is none.
 */
function answerKeyboard(ctx: BotContext, intent: Intent): InlineKeyboard | undefined {
  const { defaultLanguage } = ctx.deps.content.settings;
  const rows: InlineKeyboardButton[][] = [];
  if (intent.source) rows.push([InlineKeyboard.url(ctx.t("answer.docs"), intent.source)]);
  if (intent.action)
    rows.push(...actionKeyboard(ctx, intent.action).inline_keyboard.filter((row) => row.length > 0));
  for (const id of intent.related ?? []) {
    const other = findIntent(ctx, id);
    if (other)
      rows.push([
        InlineKeyboard.text(pick(other.title, ctx.lang, defaultLanguage), callbackData.intent.encode(id)),
      ]);
  }
  return rows.length > 0 ? InlineKeyboard.from(rows) : undefined;
}

/**
 * Sends the answer of an intent: one of its answers (chit-chat picks at random), with the Docs link of a
 * Q&A answer, the action button of a help answer and related-question buttons. With the `asked` question (free
 * text in NLP mode), a Q&A answer also gets the 👍 / 👎 row.
 */
export function answerIntent(ctx: BotContext, intentId: string, asked?: AskedQuestion): boolean {
  const intent = findIntent(ctx, intentId);
  if (!intent) return false;
  const { defaultLanguage } = ctx.deps.content.settings;
  const answers = pick(intent.answers, ctx.lang, defaultLanguage);
  const random = ctx.deps.random ?? Math.random;
  const answer = answers[Math.floor(random() * answers.length)] ?? answers[0] ?? "";
  const rows = answerKeyboard(ctx, intent)?.inline_keyboard ?? [];
  if (asked && intent.kind === "qa" && asked.tier === "nlp" && takesFeedback(ctx))
    rows.push(feedbackRow(ctx, asked, intent.id));
  ctx.say(answer, rows.length > 0 ? { reply_markup: InlineKeyboard.from(rows) } : undefined);
  ctx.deps.logger.info("intent answered", { intent: intentId, kind: intent.kind });
  ctx.count(metricNames.intentMatched, { Intent: intentId });
  return true;
}

/**
 * Answers free text: the intent, "did you mean" buttons, or the fallback, as decided by `replyFor`
 * (nlp/decide.ts), the same decision `nlp evaluate --probe` measures.
 */
export async function answerFreeText(
  ctx: BotContext,
  text: string,
  result = classify(ctx, text),
): Promise<void> {
  const [best] = result.candidates;
  ctx.deps.logger.info("classified", {
    tier: modeOf(ctx),
    decision: result.decision,
    intent: best?.intent,
    confidence: best ? Math.round(best.confidence * 1000) / 1000 : undefined,
  });
  const reply = replyFor(result, (id) => findIntent(ctx, id) !== undefined);
  countClassified(ctx, modeOf(ctx), reply.kind);
  // A new message ends the last "did you mean": a late "None of these" under it keeps nothing.
  ctx.session.unsure = undefined;
  if (reply.kind === "answer" && answerIntent(ctx, reply.intent, askedQuestion(ctx, text, result))) return;
  if (reply.kind === "clarify") {
    rememberUnsure(ctx, text, result);
    offerCandidates(ctx, reply.intents);
    return;
  }
  await keepDeclined(ctx, text, result);
  fallback(ctx, offerHandoff(ctx, text, result));
}

function offerCandidates(ctx: BotContext, intentIds: string[]): void {
  const { defaultLanguage } = ctx.deps.content.settings;
  const buttons = intentIds.flatMap((id) => {
    const intent = findIntent(ctx, id);
    return intent
      ? [{ text: pick(intent.title, ctx.lang, defaultLanguage), data: callbackData.intent.encode(id) }]
      : [];
  });
  buttons.push({ text: ctx.t("nlp.noneOfThese"), data: callbackData.noneOfThese.data });
  ctx.say(ctx.t("nlp.didYouMean"), { reply_markup: grid(buttons, 1) });
}

/** Whether the pressed message is a "did you mean" offer (it ends with "none of these"): used once, then retired. */
function isDidYouMean(ctx: CallbackContext): boolean {
  const keyboard = ctx.callbackQuery.message?.reply_markup?.inline_keyboard ?? [];
  return keyboard.some((row) =>
    row.some((button) => "callback_data" in button && button.callback_data === callbackData.noneOfThese.data),
  );
}

/**
 * Nothing understood: say so kindly (out-of-scope wording in NLP mode) and show what the bot can do, plus
 * `extra` (the "Ask a person" button of bot/handoff/) on a row of its own.
 */
export function fallback(ctx: BotContext, extra?: InlineKeyboardButton): void {
  ctx.deps.logger.info("fallback", { tier: modeOf(ctx) });
  ctx.count(metricNames.fallbackAnswered);
  const menu = mainMenu(ctx);
  ctx.say(ctx.t(modeOf(ctx) === "nlp" ? "nlp.outOfScope" : "fallback.text"), {
    reply_markup: extra ? menu.row().add(extra) : menu,
  });
}

/** Buttons of every Q&A topic: the guided way to ask in rules mode. */
export function questionButtons(ctx: BotContext) {
  const { defaultLanguage } = ctx.deps.content.settings;
  return grid(
    ctx.deps.content.intents
      .filter((intent) => intent.kind === "qa")
      .map((intent) => ({
        text: pick(intent.title, ctx.lang, defaultLanguage),
        data: callbackData.intent.encode(intent.id),
      })),
  );
}

/** Composer: `/ask`, intent buttons and "none of these". Free text is routed by the bot's final handler. */
export function intentsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("ask", (ctx) => askPrompt(ctx));
  onCallback(composer, callbackData.intent, (ctx, id) => {
    acknowledge(ctx);
    // A "did you mean" pick answers the question asked then: its answer gets 👍 / 👎 for that question.
    const asked = isDidYouMean(ctx) ? takeUnsure(ctx) : undefined;
    if (isDidYouMean(ctx)) retireKeyboard(ctx);
    if (!answerIntent(ctx, id, asked)) fallback(ctx);
  });
  onCallback(composer, callbackData.noneOfThese, async (ctx) => {
    acknowledge(ctx);
    retireKeyboard(ctx);
    await keepNoneOfThese(ctx);
    ctx.say(ctx.t("fallback.text"), { reply_markup: mainMenu(ctx) });
  });
  return composer;
}

/** "Ask a question": in rules mode list the topics as buttons; in NLP mode invite free text. */
export function askPrompt(ctx: BotContext): void {
  ctx.session.awaitingQuestion = true;
  ctx.say(ctx.t("ask.prompt"), modeOf(ctx) === "rules" ? { reply_markup: questionButtons(ctx) } : undefined);
}

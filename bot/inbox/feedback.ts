/**
 * What the bot keeps of the questions it could not answer well, from the Telegram side: a declined message, a
 * "None of these" after "did you mean", and 👍 / 👎 under Q&A answers in NLP mode. The inbox write goes through
 * `ctx.once` (a re-run after a version conflict writes once) and is the only request it adds: the question behind
 * a later press ("None of these", 👎) is kept in the chat state, which the update saves anyway. A failed inbox
 * write is logged and never costs the user their answer.
 */
import { Composer } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { metricNames } from "../../contracts/metrics";
import { classifyTiered } from "../../nlp/decide";
import type { Classification } from "../../nlp/types";
import { isPrivateChat } from "../access";
import { type CallbackContext, callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { acknowledge } from "../keyboards";
import type { AskedQuestion } from "../storage/port";
import { type InboxOrigin, keptCandidates } from "./store/port";

/** Characters of a question kept in the chat state for a later press (the state stays near 1 KB). */
export const keptQuestionLength = 500;
/** Answers whose 👍 / 👎 still count; an older answer's press is "already used or out of date". */
export const answeredRingSize = 3;

/** The question as kept in the chat state: its text (capped), language, tier and top-3 candidates. */
export function askedQuestion(ctx: BotContext, text: string, result: Classification): AskedQuestion {
  return {
    text: text.slice(0, keptQuestionLength),
    language: ctx.lang,
    tier: ctx.session.mode ?? ctx.deps.config.defaultMode,
    candidates: keptCandidates(result.candidates),
  };
}

/** Adds one occurrence to the inbox, once per update (`ctx.once`), without failing the update. */
async function keep(
  ctx: BotContext,
  question: AskedQuestion,
  origin: InboxOrigin,
  answeredIntent?: string,
): Promise<void> {
  const inbox = ctx.deps.inbox;
  const userId = ctx.from?.id;
  if (!inbox || userId === undefined) return;
  await ctx.once(`inbox:${origin}`, async () => {
    try {
      await inbox.record({
        ...question,
        origin,
        ...(answeredIntent !== undefined ? { answeredIntent } : {}),
        userId,
        at: ctx.deps.clock.now(),
      });
    } catch (error) {
      ctx.deps.logger.warn("inbox: could not keep a question", { origin, error: (error as Error).message });
    }
  });
}

/** A declined message (the fallback to free text, in either tier) goes to the inbox. */
export function keepDeclined(ctx: BotContext, text: string, result: Classification): Promise<void> {
  return keep(ctx, { ...askedQuestion(ctx, text, result), text }, "declined");
}

/**
 * Remembers the question a "did you mean" offer was made for, so "None of these" can keep it. Private chats only:
 * in a group anyone may press, and the question would be kept under the presser's id, not the asker's.
 */
export function rememberUnsure(ctx: BotContext, text: string, result: Classification): void {
  if (isPrivateChat(ctx)) ctx.session.unsure = askedQuestion(ctx, text, result);
}

/** The question of the last "did you mean", taken out of the chat state (a second press finds none). */
export function takeUnsure(ctx: BotContext): AskedQuestion | undefined {
  const question = ctx.session.unsure;
  ctx.session.unsure = undefined;
  return question;
}

/** "None of these": the question of the offer goes to the inbox. */
export async function keepNoneOfThese(ctx: BotContext): Promise<void> {
  const question = takeUnsure(ctx);
  if (question) await keep(ctx, question, "noneOfThese");
}

/** Whether an answer here gets 👍 / 👎: with an inbox, in a private chat (in a group the presser is not the asker). */
export function takesFeedback(ctx: BotContext): boolean {
  return ctx.deps.inbox !== undefined && isPrivateChat(ctx);
}

/**
 * The 👍 / 👎 row under an answer to `question`, remembered in the chat state's ring under this update's id (the
 * key in the buttons' data: a few bytes, where the question would not fit Telegram's 64).
 */
export function feedbackRow(
  ctx: BotContext,
  question: AskedQuestion,
  intent: string,
): InlineKeyboardButton[] {
  const key = ctx.update.update_id;
  const ring = (ctx.session.answered ?? []).filter((answered) => answered.key !== key);
  // Without the candidates (a 👎 classifies the text again): each entry stays ~100 B, the state near 1 KB.
  const { candidates: _candidates, ...kept } = question;
  ctx.session.answered = [...ring, { ...kept, key, intent }].slice(-answeredRingSize);
  return [
    { text: ctx.t("feedback.up"), callback_data: callbackData.feedback.encode({ vote: "up", key }) },
    { text: ctx.t("feedback.down"), callback_data: callbackData.feedback.encode({ vote: "down", key }) },
  ];
}

/** Takes the 👍 / 👎 row off the pressed message, keeping its other buttons (Docs, related questions). */
function dropFeedbackRow(ctx: CallbackContext): void {
  const message = ctx.callbackQuery.message;
  if (!message?.reply_markup) return;
  const rows = message.reply_markup.inline_keyboard
    .map((row) =>
      row.filter(
        (button) => !("callback_data" in button) || !callbackData.feedback.decode(button.callback_data),
      ),
    )
    .filter((row) => row.length > 0);
  ctx.queue("editMessageReplyMarkup", {
    chat_id: message.chat.id,
    message_id: message.message_id,
    ...(rows.length > 0 ? { reply_markup: { inline_keyboard: rows } satisfies InlineKeyboardMarkup } : {}),
  });
}

/** Composer: a 👍 is counted as a metric, a 👎 keeps the question in the inbox with the answer it got. */
export function feedbackFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  onCallback(composer, callbackData.feedback, async (ctx, { vote, key }) => {
    const ring = ctx.session.answered ?? [];
    const answered = ring.find((entry) => entry.key === key);
    dropFeedbackRow(ctx);
    if (!answered) {
      // Pressed before (the row went), or the answer left the ring: one tap per answer.
      acknowledge(ctx, ctx.t("buttons.used"));
      return;
    }
    const left = ring.filter((entry) => entry.key !== key);
    ctx.session.answered = left.length > 0 ? left : undefined;
    if (vote === "up") {
      ctx.count(metricNames.answerThumbsUp);
      acknowledge(ctx, ctx.t("feedback.thanks"));
      return;
    }
    ctx.count(metricNames.answerThumbsDown);
    const { key: _key, intent, ...question } = answered;
    // The model's top 3 for the text again (the model is deterministic; the ring does not keep them).
    const { candidates } = classifyTiered(
      ctx.deps.classifiers,
      question.tier,
      question.text,
      question.language,
    );
    await keep(ctx, { ...question, candidates: keptCandidates(candidates) }, "thumbsDown", intent);
    acknowledge(ctx, ctx.t("feedback.noted"));
  });
  return composer;
}

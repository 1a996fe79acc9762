/**
 * `createBot(deps)`: the whole bot as grammY middleware, one composer per feature, over injected ports.
 * It reads no environment and builds no AWS client, so tests, the terminal chat, the local stack and
 * Lambda all run exactly this code.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, Composer, type BotConfig as GrammyBotConfig } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { broadcastControls } from "./broadcast/telegram-controls";
import type { BotContext, BotDeps } from "./context";
import { conversation } from "./conversation";
import { adminFeature } from "./features/admin";
import { answerFreeText, fallback, intentsFeature } from "./features/intents";
import { isForgetConfirmation, privacyFeature } from "./features/privacy";
import { handleFormText, questionnaireFeature } from "./features/questionnaire";
import { settingsFeature } from "./features/settings";
import { subscriptionsFeature } from "./features/subscriptions";
import { tipsFeature } from "./features/tips";
import { handoffFeature } from "./handoff/feature";
import { inboxFeature } from "./inbox/telegram";
import { answerUsedButton } from "./keyboards";
import { buildExportDocuments } from "./questionnaire-results/export-document";
import { questionnaireResultsFeature } from "./questionnaire-results/telegram";
import type { TipStore } from "./recommendations/store";
import { statsFeature } from "./stats/telegram";
import { maxTextLength } from "./update-schema";

/** Fields of a message a person wrote; a message with none of them is a service message (join, leave, pin...). */
const userContent = [
  "text",
  "photo",
  "sticker",
  "voice",
  "video",
  "video_note",
  "audio",
  "document",
  "animation",
  "contact",
  "location",
  "venue",
  "poll",
  "dice",
  "story",
  "game",
] as const;

/** Options of {@link createBot} besides the injected dependencies. */
export interface CreateBotOptions {
  token: string;
  /** Telegram's `getMe` result, given up front so a cold start makes no `getMe` call. */
  botInfo: UserFromGetMe;
  /** grammY client options, e.g. `apiRoot` for the local Bot API emulator. */
  client?: GrammyBotConfig<BotContext>["client"];
  /**
   * Tip history for "More like this" (the daily run's `TIP#` items), so an extra tip is remembered. Without
   * it, "More like this" still works but walks the topic in content order.
   */
  tipHistory?: TipStore;
}

/** Builds the bot. Call `bot.handleUpdate(update)` or use a webhook adapter; never `bot.start()` on Lambda. */
export function createBot(deps: BotDeps, options: CreateBotOptions): Bot<BotContext> {
  const bot = new Bot<BotContext>(options.token, { botInfo: options.botInfo, client: options.client });
  // Replies go out after the state is saved, so a transient Telegram error (429, 5xx) is retried here,
  // briefly: the webhook must answer well inside its timeout. A network error is not retried here (the plugin
  // would retry it without end): the saved replies are sent by Telegram's re-delivery (bot/replies.ts).
  bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 3, rethrowHttpErrors: true }));
  const features = new Composer<BotContext>();
  features.use(handoffFeature());
  features.use(privacyFeature());
  features.use(settingsFeature());
  features.use(questionnaireFeature());
  features.use(subscriptionsFeature());
  features.use(adminFeature());
  features.use(broadcastControls());
  features.use(statsFeature());
  features.use(questionnaireResultsFeature());
  features.use(tipsFeature({ history: options.tipHistory }));
  features.use(intentsFeature());
  features.use(inboxFeature());

  features.on("message:text", async (ctx) => {
    // Telegram's own limit: a longer (forged) text is cut before anything classifies or parses it.
    const text = ctx.message.text.slice(0, maxTextLength);
    if (text.startsWith("/")) {
      // An unknown command: say what the bot can do rather than guessing.
      fallback(ctx);
      return;
    }
    if (await handleFormText(ctx, text)) return;
    ctx.session.awaitingQuestion = undefined;
    await answerFreeText(ctx, text);
  });
  features.on("callback_query", (ctx) => {
    // A button whose meaning is gone (used, out of date, crafted): say so and take the keyboard off.
    answerUsedButton(ctx);
  });
  features.on("message", (ctx) => {
    // Service messages (a member joined or left, a pin, a new title) are not addressed to the bot.
    if (!userContent.some((field) => field in ctx.message)) return;
    // Stickers, photos, voice: nothing to understand yet, so show what the bot can do.
    fallback(ctx);
  });
  // Saved /export replies become CSV files as they are sent (also when a re-delivery resumes them).
  bot.use(buildExportDocuments());
  bot.use(conversation(deps, features.middleware(), { leavesNoTrace: isForgetConfirmation }));
  return bot;
}

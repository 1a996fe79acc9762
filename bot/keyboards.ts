/**
 * Keyboards shared by several features. Their callback data is written by the codecs of
 * bot/callback-data.ts (at most 64 bytes: short prefixes and ids, never texts).
 */
import { InlineKeyboard } from "grammy";
import { callbackData } from "./callback-data";
import type { BotContext } from "./context";
import type { Translate } from "./i18n";

/** The main menu: what the bot can do, as buttons. */
export function mainMenu(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("menu.ask"), callbackData.menu.encode("ask"))
    .text(ctx.t("menu.questionnaires"), callbackData.menu.encode("forms"))
    .row()
    .text(ctx.t("menu.tips"), callbackData.menu.encode("tips"))
    .text(ctx.t("menu.settings"), callbackData.menu.encode("settings"))
    .row()
    .text(ctx.t("menu.help"), callbackData.menu.encode("help"));
}

/**
 * The buttons under a tip: "more like this" (carries the tip id, at most 48 characters, so it fits the 64
 * bytes of callback data) and "unsubscribe" (the subscriptions feature handles it). Takes a translator rather
 * than a context because the broadcast worker, which has no update, builds it too.
 */
export function tipKeyboard(t: Translate, tipId: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("tips.moreLikeThis"), callbackData.moreLikeThis.encode(tipId))
    .text(t("tips.unsubscribe"), callbackData.unsubscribe.data);
}

/** Lays out buttons two per row. */
export function grid(buttons: { text: string; data: string }[], perRow = 2): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  buttons.forEach((button, index) => {
    keyboard.text(button.text, button.data);
    if (index % perRow === perRow - 1) keyboard.row();
  });
  return keyboard;
}

/** Acknowledges a button press (Telegram shows a spinner until it is answered). */
export function acknowledge(ctx: BotContext, text?: string): void {
  const id = ctx.callbackQuery?.id;
  if (id)
    ctx.queue("answerCallbackQuery", text ? { callback_query_id: id, text } : { callback_query_id: id });
}

/** Removes the buttons of the message just pressed, so a used keyboard cannot be pressed again by eye. */
export function retireKeyboard(ctx: BotContext): void {
  const message = ctx.callbackQuery?.message;
  if (message?.reply_markup)
    ctx.queue("editMessageReplyMarkup", { chat_id: message.chat.id, message_id: message.message_id });
}

/**
 * A press on a button whose meaning is gone (already used, from a finished questionnaire, crafted): a short
 * notice on the press and the message's keyboard taken off, rather than a spinner that silently stops.
 */
export function answerUsedButton(ctx: BotContext): void {
  acknowledge(ctx, ctx.t("buttons.used"));
  retireKeyboard(ctx);
}

/**
 * Keyboards shared by several features, and the callback-data vocabulary. Callback data is at most
 * 64 bytes, so it carries short prefixes and ids, never texts.
 */
import { InlineKeyboard } from "grammy";
import type { BotContext } from "./context";
import type { Translate } from "./i18n";

/** Callback-data prefixes, one place so features never collide. */
export const callbacks = {
  menu: "m:",
  language: "lang:",
  mode: "mode:",
  intent: "i:",
  noneOfThese: "none",
  questionnaire: "q:",
  answer: "a:",
  toggle: "t:",
  done: "d:",
  skip: "s:",
  confirm: "fc",
  edit: "fe",
  editQuestion: "fe:",
  subscribe: "sub",
  unsubscribe: "unsub",
  moreLikeThis: "tip:more:",
  /** Alone: shows the tip-hour picker; followed by an hour (0-23): sets the daily tip's hour. */
  tipHour: "th:",
  broadcastSend: "bc:send",
  broadcastCancel: "bc:cancel",
  /** Followed by the broadcast id: stops a running broadcast from the admin's progress message. */
  broadcastStop: "bc:stop:",
} as const;

/** The main menu: what the bot can do, as buttons. */
export function mainMenu(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("menu.ask"), `${callbacks.menu}ask`)
    .text(ctx.t("menu.questionnaires"), `${callbacks.menu}forms`)
    .row()
    .text(ctx.t("menu.tips"), `${callbacks.menu}tips`)
    .text(ctx.t("menu.settings"), `${callbacks.menu}settings`)
    .row()
    .text(ctx.t("menu.help"), `${callbacks.menu}help`);
}

/**
 * The buttons under a tip: "more like this" (carries the tip id, at most 48 characters, so it fits the 64
 * bytes of callback data) and "unsubscribe" (the subscriptions feature handles it). Takes a translator rather
 * than a context because the broadcast worker, which has no update, builds it too.
 */
export function tipKeyboard(t: Translate, tipId: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("tips.moreLikeThis"), `${callbacks.moreLikeThis}${tipId}`)
    .text(t("tips.unsubscribe"), callbacks.unsubscribe);
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

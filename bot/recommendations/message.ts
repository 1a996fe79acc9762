/**
 * How a tip looks in Telegram, and the time arithmetic of the daily schedule. Shared by the worker (daily
 * tips) and the bot ("more like this"), so both send the same message with the same buttons.
 */
import type { InlineKeyboard } from "grammy";
import type { Content, Recommendation } from "../../content/schema";
import { pick, translator } from "../i18n";
import { tipKeyboard } from "../keyboards";

/** The text and buttons of a tip in `language`. */
export function tipMessage(
  content: Content,
  tip: Recommendation,
  language: string,
): { text: string; keyboard: InlineKeyboard } {
  const t = translator(content, language);
  const body = pick(tip.text, language, content.settings.defaultLanguage);
  const text = `${t("tips.title")}\n\n${body}${tip.url ? `\n\n${tip.url}` : ""}`;
  return { text, keyboard: tipKeyboard(t, tip.id) };
}

/** Thrown for a time zone the runtime does not know; names the setting. */
export class UnknownTimeZoneError extends Error {
  constructor(timeZone: string) {
    super(
      `SCHEDULE_TIMEZONE "${timeZone}" is not an IANA time zone; use a name such as "UTC" or "Asia/Ho_Chi_Minh".`,
    );
    this.name = "UnknownTimeZoneError";
  }
}

/**
 * The schedule slot of an instant: the calendar date (YYYY-MM-DD) and hour (0-23) in `timeZone`. One tip per
 * user and slot date; subscribers whose tip hour equals the slot hour are due.
 */
export function scheduleSlot(instant: Date, timeZone: string): { date: string; hour: number } {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    });
  } catch {
    throw new UnknownTimeZoneError(timeZone);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
}

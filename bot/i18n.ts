/**
 * User-facing strings come from content (`messages.yaml`), never code. This module picks the user's
 * language and fills `{placeholders}`; a missing translation falls back to the pack's default language.
 */
import type { Content, Localized, MessageKey } from "../content/schema";

/** Values substituted into `{name}` placeholders. */
export type MessageParams = Record<string, string | number>;

/**
 * Maps Telegram's `language_code` (IETF tag, often just `vi` or `zh-hant`) to a language of the pack.
 * Chinese variants map to the pack's Chinese language; anything unknown to the default language.
 */
export function resolveLanguage(
  languageCode: string | undefined,
  languages: readonly string[],
  fallback: string,
): string {
  if (!languageCode) return fallback;
  const code = languageCode.toLowerCase();
  const exact = languages.find((language) => language.toLowerCase() === code);
  if (exact) return exact;
  const base = code.split("-")[0] ?? code;
  return languages.find((language) => language.toLowerCase().split("-")[0] === base) ?? fallback;
}

/** Picks the value for `language` from a localised field, falling back to the default language. */
export function pick<T>(value: Localized<T>, language: string, fallback: string): T {
  const chosen = value[language] ?? value[fallback] ?? Object.values(value)[0];
  if (chosen === undefined)
    throw new Error("A localised content field has no values; run `npm run content:check`.");
  return chosen;
}

/** Replaces `{key}` placeholders; unknown placeholders are left visible so authors notice them. */
export function fill(template: string, params: MessageParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

/** A translator bound to one language: `t("start.greeting", { name })`. */
export type Translate = (key: MessageKey | (string & {}), params?: MessageParams) => string;

/** Builds the translator for `language` over the pack's messages. */
export function translator(content: Content, language: string): Translate {
  const fallback = content.settings.defaultLanguage;
  return (key, params) => {
    const message = content.messages[key];
    if (!message) return key;
    return fill(pick(message, language, fallback), params);
  };
}

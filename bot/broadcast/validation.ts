/**
 * What a broadcast may contain, checked before anything is recorded or queued, with errors that say how to
 * fix the request. Shared by the admin API and every {@link BroadcastQueue} implementation.
 */
import type { BroadcastRequest } from "../ports";

/** Telegram's limit on a message text. */
export const maxBroadcastTextLength = 4096;
/** Parse modes a broadcast may use (Telegram's legacy "Markdown" is deliberately not offered). */
export const broadcastParseModes = ["HTML", "MarkdownV2"] as const;
/** Buttons per broadcast (one per row). */
export const maxBroadcastButtons = 8;

/** A broadcast request that cannot be sent as given; `field` names the offending part. */
export class InvalidBroadcastError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidBroadcastError";
  }
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item.trim() === ""))
    throw new InvalidBroadcastError(
      field,
      `${field} must be a list of non-empty strings, e.g. ["en", "vi"].`,
    );
  return value.length === 0 ? undefined : (value as string[]);
}

/**
 * Checks and normalises a request: text present and at most 4096 characters, a known parse mode, at most 8
 * URL buttons, an audience filter of language codes and/or topics.
 * @throws InvalidBroadcastError naming the field and the fix
 */
export function validateBroadcastRequest(request: BroadcastRequest): BroadcastRequest {
  const text = typeof request.text === "string" ? request.text : "";
  if (text.trim() === "")
    throw new InvalidBroadcastError(
      "text",
      "The broadcast text is empty; write the message to send in `text`.",
    );
  if (text.length > maxBroadcastTextLength)
    throw new InvalidBroadcastError(
      "text",
      `The broadcast text has ${text.length} characters; Telegram accepts at most ${maxBroadcastTextLength}. Shorten it or send two broadcasts.`,
    );
  const parseMode = request.parseMode as string | undefined;
  if (parseMode !== undefined && !(broadcastParseModes as readonly string[]).includes(parseMode))
    throw new InvalidBroadcastError(
      "parseMode",
      `Parse mode "${String(parseMode)}" is not supported; use "HTML" or "MarkdownV2", or leave parseMode out for plain text.`,
    );
  const buttons = request.buttons;
  if (buttons !== undefined) {
    if (!Array.isArray(buttons) || buttons.length > maxBroadcastButtons)
      throw new InvalidBroadcastError(
        "buttons",
        `buttons must be a list of at most ${maxBroadcastButtons} { text, url } objects.`,
      );
    buttons.forEach((button, index) => {
      const label = (button as { text?: unknown })?.text;
      const url = (button as { url?: unknown })?.url;
      if (typeof label !== "string" || label.trim() === "" || label.length > 64)
        throw new InvalidBroadcastError(
          `buttons[${index}].text`,
          `Button ${index + 1} needs a text of 1 to 64 characters.`,
        );
      if (typeof url !== "string" || !/^(https?|tg):\/\/\S+$/.test(url))
        throw new InvalidBroadcastError(
          `buttons[${index}].url`,
          `Button ${index + 1} needs a url starting with https://, http:// or tg://.`,
        );
    });
  }
  const audience = request.audience;
  if (
    audience !== undefined &&
    (typeof audience !== "object" || audience === null || Array.isArray(audience))
  )
    throw new InvalidBroadcastError(
      "audience",
      "audience must be an object like { languages: [...], topics: [...] }.",
    );
  const unknown = Object.keys(audience ?? {}).filter((key) => key !== "languages" && key !== "topics");
  if (unknown.length > 0)
    throw new InvalidBroadcastError(
      "audience",
      `audience.${unknown[0]} is not a filter; filter by "languages" and/or "topics".`,
    );
  const languages = stringList(audience?.languages, "audience.languages");
  const topics = stringList(audience?.topics, "audience.topics");
  if (!request.requestId || typeof request.requestId !== "string")
    throw new InvalidBroadcastError("requestId", "A broadcast needs a requestId (the idempotency key).");
  return {
    text,
    ...(parseMode ? { parseMode: parseMode as BroadcastRequest["parseMode"] } : {}),
    ...(buttons && buttons.length > 0
      ? { buttons: buttons.map(({ text: label, url }) => ({ text: label, url })) }
      : {}),
    ...(languages || topics
      ? { audience: { ...(languages ? { languages } : {}), ...(topics ? { topics } : {}) } }
      : {}),
    requestedBy: request.requestedBy,
    ...(request.progressChatId !== undefined ? { progressChatId: request.progressChatId } : {}),
    requestId: request.requestId,
  };
}

/** Whether a user is in a broadcast's audience: not blocked, and matching the language and topic filters. */
export function inAudience(
  user: { blocked: boolean; language: string; topics?: string[] },
  audience: BroadcastRequest["audience"],
): boolean {
  if (user.blocked) return false;
  if (audience?.languages && !audience.languages.includes(user.language)) return false;
  if (audience?.topics && !(user.topics ?? []).some((topic) => audience.topics?.includes(topic)))
    return false;
  return true;
}

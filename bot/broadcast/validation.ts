/**
 * What a broadcast may contain, checked before anything is recorded or queued, with errors that say how to
 * fix the request. Shared by the admin API and every {@link BroadcastQueue} implementation.
 */
import type { BroadcastRequest } from "../ports";
import { MarkupError, visibleText } from "./markup";

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
  // An empty filter is not "everyone": it is a mistake that would send to everyone.
  if (value.length === 0)
    throw new InvalidBroadcastError(
      field,
      `${field} is empty, which matches nobody; name at least one, or leave ${field} out to send to everyone.`,
    );
  return value as string[];
}

/** Longest raw text accepted (markup included); the visible text is held to Telegram's 4096. */
const maxRawTextLength = 8 * maxBroadcastTextLength;

/**
 * Checks and normalises a request: text present, parsing in its parse mode, at most 4096 visible characters,
 * at most 8 URL buttons, an audience filter of non-empty lists of language codes and/or topics.
 * @throws InvalidBroadcastError naming the field and the fix
 */
export function validateBroadcastRequest(request: BroadcastRequest): BroadcastRequest {
  const text = typeof request.text === "string" ? request.text : "";
  if (text.trim() === "")
    throw new InvalidBroadcastError(
      "text",
      "The broadcast text is empty; write the message to send in `text`.",
    );
  const parseMode = request.parseMode as string | undefined;
  if (parseMode !== undefined && !(broadcastParseModes as readonly string[]).includes(parseMode))
    throw new InvalidBroadcastError(
      "parseMode",
      `Parse mode "${String(parseMode)}" is not supported; use "HTML" or "MarkdownV2", or leave parseMode out for plain text.`,
    );
  if (text.length > maxRawTextLength)
    throw new InvalidBroadcastError(
      "text",
      `The broadcast text has ${text.length} characters with its markup; at most ${maxRawTextLength} are accepted.`,
    );
  // Parsed as Telegram parses it: broken markup is refused here, not after some users got the message.
  let visible: string;
  try {
    visible = visibleText(text, parseMode as BroadcastRequest["parseMode"]);
  } catch (error) {
    if (error instanceof MarkupError) throw new InvalidBroadcastError("text", error.message);
    throw error;
  }
  if (visible.length > maxBroadcastTextLength)
    throw new InvalidBroadcastError(
      "text",
      `The broadcast text shows ${visible.length} characters once its markup is parsed; Telegram accepts at most ${maxBroadcastTextLength}. Shorten it or send two broadcasts.`,
    );
  if (visible.trim() === "")
    throw new InvalidBroadcastError("text", "The broadcast text shows nothing once its markup is parsed.");
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

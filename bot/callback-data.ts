/**
 * Callback data, one codec per kind: each kind's prefix, how its value is written into a button and how it
 * is read back (with validation) from a press. Features build buttons with `encode` and match presses with
 * {@link onCallback}, so the wire format of a kind lives in exactly one place, and a crafted press that does
 * not decode is never handled as that kind. Telegram limits callback data to 64 bytes; `encode` checks it.
 */
import type { Composer, Filter } from "grammy";
import type { BotContext } from "./context";

/** Telegram's limit on `callback_data`, in bytes (UTF-8). */
export const maxCallbackDataBytes = 64;

/** Thrown when a button's data would not fit Telegram's 64 bytes (Telegram refuses the whole message). */
export class CallbackDataTooLongError extends Error {
  constructor(kind: string, data: string) {
    super(
      `Callback data of kind "${kind}" is ${Buffer.byteLength(data)} bytes ("${data.slice(0, 80)}"), over ` +
        `Telegram's ${maxCallbackDataBytes}: shorten the id or value it carries (content ids are at most 48 characters).`,
    );
    this.name = "CallbackDataTooLongError";
  }
}

/** How one kind of callback data is written and read. */
export interface CallbackCodec<T> {
  readonly kind: string;
  /** The fixed start of every datum of this kind (for kinds without a value, the whole datum). */
  readonly prefix: string;
  /** The datum for `value`; throws {@link CallbackDataTooLongError} over 64 bytes. */
  encode(value: T): string;
  /** The value carried by `data`, or undefined when `data` is not a well-formed datum of this kind. */
  decode(data: string): T | undefined;
}

function codec<T>(
  kind: string,
  prefix: string,
  write: (value: T) => string,
  read: (rest: string) => T | undefined,
): CallbackCodec<T> {
  return {
    kind,
    prefix,
    encode(value) {
      const data = prefix + write(value);
      if (Buffer.byteLength(data) > maxCallbackDataBytes) throw new CallbackDataTooLongError(kind, data);
      return data;
    },
    decode(data) {
      if (!data.startsWith(prefix) || Buffer.byteLength(data) > maxCallbackDataBytes) return undefined;
      return read(data.slice(prefix.length));
    },
  };
}

/** A kind without a value (decodes to `true`); its whole datum is `data`. */
function unit(kind: string, data: string): CallbackCodec<true> & { readonly data: string } {
  return {
    ...codec<true>(
      kind,
      data,
      () => "",
      (rest) => (rest === "" ? true : undefined),
    ),
    data,
  };
}

/** A kind carrying one id (content ids, language codes, broadcast ids): letters, digits, `.`, `_`, `-`. */
function id(kind: string, prefix: string): CallbackCodec<string> {
  return codec<string>(
    kind,
    prefix,
    (value) => value,
    (rest) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(rest) ? rest : undefined),
  );
}

/** A question index (what the button was asked for) with nothing else. */
function index(kind: string, prefix: string): CallbackCodec<number> {
  return codec<number>(
    kind,
    prefix,
    (value) => String(value),
    (rest) => (/^\d{1,3}$/.test(rest) ? Number(rest) : undefined),
  );
}

/** A question index and an option value: `<index>:<value>`. */
function option(kind: string, prefix: string): CallbackCodec<{ index: number; value: string }> {
  return codec<{ index: number; value: string }>(
    kind,
    prefix,
    ({ index, value }) => `${index}:${value}`,
    (rest) => {
      const match = /^(\d{1,3}):(.+)$/su.exec(rest);
      return match ? { index: Number(match[1]), value: match[2] as string } : undefined;
    },
  );
}

/** One of a fixed set of words. */
function oneOf<const T extends string>(kind: string, prefix: string, words: readonly T[]): CallbackCodec<T> {
  return codec<T>(
    kind,
    prefix,
    (value) => value,
    (rest) => words.find((word) => word === rest),
  );
}

/** The tip-hour picker (`pick`, the datum is the bare prefix) or the hour chosen in it (0-23). */
function tipHour(kind: string, prefix: string): CallbackCodec<number | "pick"> {
  return codec<number | "pick">(
    kind,
    prefix,
    (value) => (value === "pick" ? "" : String(value)),
    (rest) => {
      if (rest === "") return "pick";
      const hour = /^\d{1,2}$/.test(rest) ? Number(rest) : Number.NaN;
      return hour >= 0 && hour <= 23 ? hour : undefined;
    },
  );
}

/** 👍 / 👎 under an answer: the vote and the key of the answer in the chat state's ring (bot/inbox/feedback.ts). */
function vote(kind: string, prefix: string): CallbackCodec<{ vote: "up" | "down"; key: number }> {
  return codec<{ vote: "up" | "down"; key: number }>(
    kind,
    prefix,
    ({ vote, key }) => `${vote === "up" ? "u" : "d"}${key}`,
    (rest) => {
      const match = /^([ud])(\d{1,15})$/.exec(rest);
      return match ? { vote: match[1] === "u" ? "up" : "down", key: Number(match[2]) } : undefined;
    },
  );
}

/** An inbox entry id (12 base64url characters, bot/inbox/store/port.ts) and a value after a colon. */
function entryAnd<T>(
  kind: string,
  prefix: string,
  write: (value: T) => string,
  read: (rest: string) => T | undefined,
): CallbackCodec<{ entry: string; value: T }> {
  return codec<{ entry: string; value: T }>(
    kind,
    prefix,
    ({ entry, value }) => `${entry}:${write(value)}`,
    (rest) => {
      const match = /^([A-Za-z0-9_-]{12}):(.+)$/su.exec(rest);
      const value = match ? read(match[2] as string) : undefined;
      return match && value !== undefined ? { entry: match[1] as string, value } : undefined;
    },
  );
}

/** An inbox entry id alone. */
function entry(kind: string, prefix: string): CallbackCodec<string> {
  return codec<string>(
    kind,
    prefix,
    (value) => value,
    (rest) => (/^[A-Za-z0-9_-]{12}$/.test(rest) ? rest : undefined),
  );
}

/** Main-menu entries. */
export const menuEntries = ["ask", "forms", "tips", "settings", "language", "mode", "help"] as const;

/** Every kind of callback data the bot sends, by name. Prefixes must not be prefixes of each other's data. */
export const callbackData = {
  menu: oneOf("menu", "m:", menuEntries),
  language: id("language", "lang:"),
  mode: oneOf("mode", "mode:", ["rules", "nlp"] as const),
  intent: id("intent", "i:"),
  noneOfThese: unit("noneOfThese", "none"),
  questionnaire: id("questionnaire", "q:"),
  answer: option("answer", "a:"),
  toggle: option("toggle", "t:"),
  done: index("done", "d:"),
  skip: index("skip", "s:"),
  confirm: unit("confirm", "fc"),
  edit: unit("edit", "fe"),
  editQuestion: index("editQuestion", "fe:"),
  subscribe: unit("subscribe", "sub"),
  unsubscribe: unit("unsubscribe", "unsub"),
  moreLikeThis: id("moreLikeThis", "tip:more:"),
  /** Alone: shows the tip-hour picker; followed by an hour (0-23): sets the daily tip's hour. */
  tipHour: tipHour("tipHour", "th:"),
  broadcastSend: unit("broadcastSend", "bc:send"),
  broadcastCancel: unit("broadcastCancel", "bc:cancel"),
  /** Followed by the broadcast id: stops a running broadcast from the admin's progress message. */
  broadcastStop: id("broadcastStop", "bc:stop:"),
  /** "Ask a person" under a declined question; carries the question's short key (bot/handoff/). */
  handoffAsk: id("handoffAsk", "ho:ask:"),
  /** "Done": the user ends their conversation with the staff. */
  handoffDone: unit("handoffDone", "ho:done"),
  /** Followed by a questionnaire id: an admin's /results for it (bot/questionnaire-results/). */
  results: id("results", "res:"),
  /** Followed by a questionnaire id: an admin's /export of it as CSV. */
  exportResponses: id("exportResponses", "exp:"),
  /** "Delete my data" under the privacy policy: asks for the /forget confirmation. */
  forgetAsk: unit("forgetAsk", "fg:ask"),
  /** Followed by the confirmation's nonce: Confirm / Cancel of a /forget. */
  forgetConfirm: id("forgetConfirm", "fg:y:"),
  forgetCancel: id("forgetCancel", "fg:n:"),
  /** 👍 / 👎 under a Q&A answer in NLP mode (bot/inbox/feedback.ts). */
  feedback: vote("feedback", "fb:"),
  /** Admin review (/inbox): label an entry with an intent (`il:<entry>:<intentId>`, at most 64 bytes). */
  inboxLabel: entryAnd(
    "inboxLabel",
    "il:",
    (intent: string) => intent,
    (rest) => (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(rest) ? rest : undefined),
  ),
  /** Admin review: a page of the intent list to pick from (`ip:<entry>:<page>`). */
  inboxPick: entryAnd(
    "inboxPick",
    "ip:",
    (page: number) => String(page),
    (rest) => (/^\d{1,3}$/.test(rest) ? Number(rest) : undefined),
  ),
  /** Admin review: back from the intent list to the entry. */
  inboxShow: entry("inboxShow", "iv:"),
  /** Admin review: the entry is out of scope. */
  inboxOutOfScope: entry("inboxOutOfScope", "io:"),
  /** Admin review: the entry is not worth keeping. */
  inboxDismiss: entry("inboxDismiss", "ix:"),
  /** Admin review: skip to the next entry. */
  inboxNext: unit("inboxNext", "in:next"),
} as const;

/** The context of a button press with data. */
export type CallbackContext = Filter<BotContext, "callback_query:data">;

/**
 * Handles presses whose data decodes as `codec`'s kind, with the decoded value; any other press passes on
 * (in the end to the bot's handler of stale buttons).
 */
export function onCallback<T>(
  composer: Composer<BotContext>,
  codec: CallbackCodec<T>,
  handler: (ctx: CallbackContext, value: T) => unknown,
): void {
  composer.on("callback_query:data", (ctx, next) => {
    const value = codec.decode(ctx.callbackQuery.data);
    return value === undefined ? next() : handler(ctx, value);
  });
}

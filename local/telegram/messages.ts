/**
 * How the emulator stores and shows messages: the chat and file records, the validation of keyboards the bot
 * sends (answered with Telegram's wording), and the transcript entries that tests and the web chat read.
 */

import type {
  Chat,
  Document,
  ForceReply,
  InlineKeyboardMarkup,
  Message,
  PhotoSize,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  User,
} from "grammy/types";
import { badRequest } from "./errors";
import type { ReplyMarkup, SimulatedUser, TranscriptEntry, TranscriptMedia } from "./types";

/** A message as the emulator keeps it: the current Bot API object plus its history. */
export interface StoredMessage {
  chatId: number;
  sender: "user" | "bot";
  message: Message;
  replyMarkup?: ReplyMarkup;
  media?: TranscriptMedia;
  previousVersions: TranscriptEntry["previousVersions"];
  deleted: boolean;
}

/** A chat (a user's private chat or a group) and its messages in id order. */
export interface ChatRecord {
  chat: Chat.PrivateChat | Chat.GroupChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  replyKeyboard?: ReplyKeyboardMarkup;
}

/** A sent file: uploaded bytes, or the URL the bot named. */
export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  kind: "photo" | "document";
  size?: number;
  fileName?: string;
  mimeType?: string;
  data?: Buffer;
  url?: string;
}

/** The `action` values sendChatAction accepts. */
export const chatActions = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
/** Fields of which an inline button must carry exactly one (a text-only button is refused). */
const inlineButtonActions = [
  "callback_data",
  "url",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];
/** Telegram's 400 detail for an edit that changes nothing. */
export const notModified =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
/** MIME types guessed from file name extensions, as Telegram reports them for documents. */
const mimeTypes: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  zip: "application/zip",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

/** The MIME type a file name suggests, if the extension is a common one. */
export function mimeTypeOf(fileName: string): string | undefined {
  return mimeTypes[fileName.split(".").pop()?.toLowerCase() ?? ""];
}

/** The Bot API `User` object of a simulated user. */
export function telegramUser(user: SimulatedUser): User {
  return { is_bot: false, ...user };
}

/** Deep equality of two JSON values, for "message is not modified" checks. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Checks a `reply_markup` as Telegram does and answers its 400 wording when it is malformed. */
export function validReplyMarkup(value: unknown): ReplyMarkup {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const markup = value as Record<string, unknown>;
  if ("inline_keyboard" in markup) return validInlineKeyboard(markup);
  if ("keyboard" in markup) {
    const rows = markup.keyboard;
    if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
      throw badRequest('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays');
    }
    for (const button of rows.flat() as unknown[]) {
      const text = typeof button === "string" ? button : (button as { text?: unknown } | null)?.text;
      if (typeof text !== "string" || text === "") {
        throw badRequest("can't parse keyboard button: Text must be non-empty");
      }
    }
    return markup as unknown as ReplyKeyboardMarkup;
  }
  if (markup.remove_keyboard === true) return markup as unknown as ReplyKeyboardRemove;
  if (markup.force_reply === true) return markup as unknown as ForceReply;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function validInlineKeyboard(markup: Record<string, unknown>): InlineKeyboardMarkup {
  const rows = markup.inline_keyboard;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  }
  for (const button of rows.flat() as Array<Record<string, unknown> | null>) {
    if (typeof button?.text !== "string" || button.text === "") {
      throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
    }
    const actions = inlineButtonActions.filter((action) => button[action] !== undefined);
    if (actions.length === 0) {
      throw badRequest(
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
      );
    }
    const data = button.callback_data;
    if (data !== undefined && (typeof data !== "string" || data === "" || Buffer.byteLength(data) > 64)) {
      throw badRequest("BUTTON_DATA_INVALID");
    }
    if (
      button.url !== undefined &&
      (typeof button.url !== "string" || !/^(https?|tg):\/\/\S+$/.test(button.url))
    ) {
      throw badRequest(`inline keyboard button URL '${String(button.url)}' is invalid: Wrong HTTP URL`);
    }
  }
  return markup as unknown as InlineKeyboardMarkup;
}

/** The single `PhotoSize` the emulator reports for a photo (it does not make thumbnails). */
export function photoSize(file: StoredFile): PhotoSize {
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    width: 1280,
    height: 960,
    ...(file.size ? { file_size: file.size } : {}),
  };
}

/** The Bot API `Document` object of a stored file. */
export function documentOf(file: StoredFile): Document {
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    ...(file.fileName ? { file_name: file.fileName } : {}),
    ...(file.mimeType ? { mime_type: file.mimeType } : {}),
    ...(file.size ? { file_size: file.size } : {}),
  };
}

/** How a transcript shows a message's file, with a URL the web chat can load. */
export function mediaOf(file: StoredFile): TranscriptMedia {
  return {
    kind: file.kind,
    fileId: file.fileId,
    ...(file.fileName ? { fileName: file.fileName } : {}),
    ...(file.mimeType ? { mimeType: file.mimeType } : {}),
    ...(file.size ? { size: file.size } : {}),
    url: file.url ?? `/_emulator/files/${encodeURIComponent(file.fileId)}`,
  };
}

/** A stored message as tests and the web chat read it (a deep copy, safe to keep). */
export function transcriptEntry(stored: StoredMessage): TranscriptEntry {
  const message = stored.message;
  return {
    chatId: stored.chatId,
    messageId: message.message_id,
    sender: stored.sender,
    date: message.date,
    text: message.text ?? message.caption ?? "",
    entities: structuredClone(message.entities ?? message.caption_entities ?? []),
    ...(stored.media ? { media: { ...stored.media } } : {}),
    ...(stored.replyMarkup ? { replyMarkup: structuredClone(stored.replyMarkup) } : {}),
    ...(message.reply_to_message ? { replyToMessageId: message.reply_to_message.message_id } : {}),
    edited: stored.previousVersions.length > 0,
    ...(message.edit_date ? { editDate: message.edit_date } : {}),
    deleted: stored.deleted,
    previousVersions: structuredClone(stored.previousVersions),
    message: structuredClone(message),
  };
}

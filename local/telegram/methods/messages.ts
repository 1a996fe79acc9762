/**
 * Bot API methods that create, change or remove messages: sendMessage, sendPhoto, sendDocument,
 * editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage, with Telegram's checks and
 * 400 wordings, flood limits and blocked users.
 */
import type { InlineKeyboardMarkup, Message, MessageEntity } from "grammy/types";
import { badRequest, forbidden, tooManyRequests } from "../errors";
import { EntityParseError, formatText, isSupportedParseMode } from "../formatting";
import {
  type ChatRecord,
  documentOf,
  mediaOf,
  mimeTypeOf,
  notModified,
  photoSize,
  type StoredFile,
  type StoredMessage,
  sameJson,
  transcriptEntry,
  validReplyMarkup,
} from "../messages";
import type { BotApiParams } from "../params";
import type { EmulatorState } from "../state";
import type { ReplyMarkup, TranscriptMedia } from "../types";
import type { MethodContext, MethodRunner } from "./context";

const rateLimitedMethods = new Set(["sendMessage", "sendPhoto", "sendDocument", "editMessageText"]);

/** The chat named by `chat_id`, or Telegram's 400. */
export function chatParam(state: EmulatorState, p: BotApiParams): ChatRecord {
  const raw = p.string("chat_id");
  if (raw === undefined || raw === "") throw badRequest("chat_id is empty");
  const chatId = Number(raw);
  const record = Number.isSafeInteger(chatId) ? state.chats.get(chatId) : undefined;
  if (!record) throw badRequest("chat not found");
  return record;
}

/** The message methods, by name. */
export function messageMethods({ state, limiter }: MethodContext): Record<string, MethodRunner> {
  function formattedParam(p: BotApiParams, textField: string, modeField: string, entitiesField: string) {
    const source = p.string(textField) ?? "";
    const parseMode = p.string(modeField);
    if (parseMode) {
      if (!isSupportedParseMode(parseMode)) throw badRequest("unsupported parse_mode");
      try {
        return formatText(source, parseMode);
      } catch (error) {
        if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
        throw error;
      }
    }
    const entities = p.json<MessageEntity[]>(entitiesField, "entities");
    return { text: source, entities: Array.isArray(entities) ? entities : [] };
  }

  function replyMarkupParam(p: BotApiParams): ReplyMarkup | undefined {
    const markup = p.json<unknown>("reply_markup", "reply keyboard markup");
    return markup === undefined ? undefined : validReplyMarkup(markup);
  }

  /** Edits accept only inline keyboards; no markup removes the message's keyboard, as in Telegram. */
  function inlineMarkupParam(p: BotApiParams): InlineKeyboardMarkup | undefined {
    const markup = replyMarkupParam(p);
    if (markup === undefined) return undefined;
    if (!("inline_keyboard" in markup)) throw badRequest("inline keyboard expected");
    return markup.inline_keyboard.length > 0 ? markup : undefined;
  }

  function replyTargetParam(p: BotApiParams, record: ChatRecord): Message | undefined {
    const parameters = p.json<{ message_id?: unknown; allow_sending_without_reply?: unknown }>(
      "reply_parameters",
      "reply parameters",
    );
    const messageId = parameters?.message_id ?? p.integer("reply_to_message_id");
    if (messageId === undefined) return undefined;
    const target = typeof messageId === "number" ? record.messages.get(messageId) : undefined;
    if (!target || target.deleted) {
      const allowWithout =
        parameters?.allow_sending_without_reply === true || p.boolean("allow_sending_without_reply");
      if (allowWithout) return undefined;
      throw badRequest("message to be replied not found");
    }
    const { reply_to_message: _nested, ...message } = structuredClone(target.message);
    return message as Message;
  }

  function storeFile(file: Omit<StoredFile, "fileId" | "fileUniqueId">): StoredFile {
    const number = state.freshId("file");
    const prefix = file.kind === "photo" ? "AgACAgIAAxk" : "BQACAgIAAxk";
    const stored: StoredFile = {
      ...file,
      fileId: `${prefix}-local-${number}`,
      fileUniqueId: `AQAD-local-${number}`,
    };
    state.files.set(stored.fileId, stored);
    return stored;
  }

  function fileParam(p: BotApiParams, kind: "photo" | "document"): StoredFile {
    const param = p.file(kind);
    if (!param) throw badRequest(`there is no ${kind} in the request`);
    if (param.kind === "reference") {
      const known = state.files.get(param.value);
      if (known) return known;
      if (!/^https?:\/\/\S+$/.test(param.value)) throw badRequest("wrong file identifier/HTTP URL specified");
      const fileName = decodeURIComponent(new URL(param.value).pathname.split("/").pop() ?? "") || undefined;
      const mimeType = fileName ? mimeTypeOf(fileName) : undefined;
      return storeFile({
        kind,
        url: param.value,
        ...(fileName ? { fileName } : {}),
        ...(mimeType ? { mimeType } : {}),
      });
    }
    if (param.file.data.length === 0) throw badRequest("file must be non-empty");
    const fileName = param.file.filename;
    const declared =
      param.file.contentType === "application/octet-stream" ? undefined : param.file.contentType;
    const mimeType = declared ?? mimeTypeOf(fileName);
    return storeFile({
      kind,
      data: param.file.data,
      size: param.file.data.length,
      fileName,
      ...(mimeType ? { mimeType } : {}),
    });
  }

  function editableMessage(p: BotApiParams): { record: ChatRecord; stored: StoredMessage } {
    if (p.has("inline_message_id")) {
      throw badRequest(
        "inline messages are not supported by the local emulator; edit with chat_id and message_id",
      );
    }
    const record = chatParam(state, p);
    const messageId = p.integer("message_id", "message identifier is not specified");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const stored = record.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest("message to edit not found");
    if (stored.sender !== "bot") throw badRequest("message can't be edited");
    return { record, stored };
  }

  /** Refuses a send to a blocked user (403) or beyond the flood limits (429). */
  function admitSend(record: ChatRecord, p: BotApiParams, method: string): void {
    if (state.blocked.has(record.chat.id)) throw forbidden("bot was blocked by the user");
    if (!rateLimitedMethods.has(method)) return;
    const retryAfter = limiter.admit(record.chat.id, p.boolean("allow_paid_broadcast"));
    if (retryAfter > 0) throw tooManyRequests(retryAfter);
  }

  function storeBotMessage(
    record: ChatRecord,
    content: Partial<Message>,
    markup: ReplyMarkup | undefined,
    replyTo: Message | undefined,
    p: BotApiParams,
    media?: TranscriptMedia,
  ): Message {
    const message = {
      message_id: record.nextMessageId++,
      from: state.botUser(),
      chat: { ...record.chat },
      date: state.unixNow(),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...content,
      ...(markup && "inline_keyboard" in markup && markup.inline_keyboard.length > 0
        ? { reply_markup: markup }
        : {}),
      ...(p.boolean("protect_content") ? { has_protected_content: true } : {}),
    } as Message;
    if (markup && "keyboard" in markup) record.replyKeyboard = markup;
    if (markup && "remove_keyboard" in markup) record.replyKeyboard = undefined;
    state.counters.sentMessages += 1;
    const chatKey = String(record.chat.id);
    state.counters.sendsByChat[chatKey] = (state.counters.sendsByChat[chatKey] ?? 0) + 1;
    state.storeMessage(record, {
      chatId: record.chat.id,
      sender: "bot",
      message,
      ...(markup ? { replyMarkup: markup } : {}),
      ...(media ? { media } : {}),
      previousVersions: [],
      deleted: false,
    });
    return structuredClone(message);
  }

  function applyEdit(
    stored: StoredMessage,
    content: {
      text?: string;
      entities?: MessageEntity[];
      caption?: string;
      caption_entities?: MessageEntity[];
    },
    markup: InlineKeyboardMarkup | undefined,
  ): Message {
    const current = stored.message;
    stored.previousVersions.push({
      text: current.text ?? current.caption ?? "",
      entities: current.entities ?? current.caption_entities ?? [],
      ...(stored.replyMarkup ? { replyMarkup: stored.replyMarkup } : {}),
      replacedAt: state.unixNow(),
    });
    const next: Record<string, unknown> = { ...current, ...content, edit_date: state.unixNow() };
    for (const field of ["entities", "caption", "caption_entities"] as const) {
      const value = next[field];
      if (value === "" || (Array.isArray(value) && value.length === 0)) delete next[field];
    }
    if (markup) next.reply_markup = markup;
    else delete next.reply_markup;
    stored.message = next as unknown as Message;
    if (markup) stored.replyMarkup = markup;
    else delete stored.replyMarkup;
    const entry = transcriptEntry(stored);
    state.pushEvent({ type: "edit", chatId: stored.chatId, entry });
    state.emit("edit", entry);
    return structuredClone(stored.message);
  }

  function sendMessage(p: BotApiParams): Message {
    const record = chatParam(state, p);
    const formatted = formattedParam(p, "text", "parse_mode", "entities");
    if (formatted.text.trim() === "") throw badRequest("message text is empty");
    if (formatted.text.length > 4096) throw badRequest("message is too long");
    const markup = replyMarkupParam(p);
    const replyTo = replyTargetParam(p, record);
    admitSend(record, p, "sendMessage");
    const content = {
      text: formatted.text,
      ...(formatted.entities.length > 0 ? { entities: formatted.entities } : {}),
    };
    return storeBotMessage(record, content, markup, replyTo, p);
  }

  function sendMedia(p: BotApiParams, kind: "photo" | "document"): Message {
    const record = chatParam(state, p);
    const file = fileParam(p, kind);
    const caption = formattedParam(p, "caption", "parse_mode", "caption_entities");
    if (caption.text.length > 1024) throw badRequest("message caption is too long");
    const markup = replyMarkupParam(p);
    const replyTo = replyTargetParam(p, record);
    admitSend(record, p, kind === "photo" ? "sendPhoto" : "sendDocument");
    const content = {
      ...(kind === "photo" ? { photo: [photoSize(file)] } : { document: documentOf(file) }),
      ...(caption.text ? { caption: caption.text } : {}),
      ...(caption.entities.length > 0 ? { caption_entities: caption.entities } : {}),
    };
    return storeBotMessage(record, content, markup, replyTo, p, mediaOf(file));
  }

  function editMessageText(p: BotApiParams): Message {
    const { record, stored } = editableMessage(p);
    const formatted = formattedParam(p, "text", "parse_mode", "entities");
    if (formatted.text.trim() === "") throw badRequest("message text is empty");
    if (formatted.text.length > 4096) throw badRequest("message is too long");
    if (stored.message.text === undefined) throw badRequest("there is no text in the message to edit");
    const markup = inlineMarkupParam(p);
    const current = stored.message;
    if (
      current.text === formatted.text &&
      sameJson(current.entities ?? [], formatted.entities) &&
      sameJson(current.reply_markup, markup)
    ) {
      throw badRequest(notModified);
    }
    admitSend(record, p, "editMessageText");
    return applyEdit(stored, { text: formatted.text, entities: formatted.entities }, markup);
  }

  function editMessageCaption(p: BotApiParams): Message {
    const { stored } = editableMessage(p);
    const caption = formattedParam(p, "caption", "parse_mode", "caption_entities");
    if (caption.text.length > 1024) throw badRequest("message caption is too long");
    if (!stored.media) throw badRequest("there is no caption in the message to edit");
    const markup = inlineMarkupParam(p);
    const current = stored.message;
    if (
      (current.caption ?? "") === caption.text &&
      sameJson(current.caption_entities ?? [], caption.entities) &&
      sameJson(current.reply_markup, markup)
    ) {
      throw badRequest(notModified);
    }
    return applyEdit(stored, { caption: caption.text, caption_entities: caption.entities }, markup);
  }

  function editMessageReplyMarkup(p: BotApiParams): Message {
    const { stored } = editableMessage(p);
    const markup = inlineMarkupParam(p);
    if (sameJson(stored.message.reply_markup, markup)) throw badRequest(notModified);
    return applyEdit(stored, {}, markup);
  }

  function deleteMessage(p: BotApiParams): true {
    const record = chatParam(state, p);
    const messageId = p.integer("message_id", "message identifier is not specified");
    if (messageId === undefined) throw badRequest("message identifier is not specified");
    const stored = record.messages.get(messageId);
    if (!stored || stored.deleted) throw badRequest("message to delete not found");
    stored.deleted = true;
    const entry = transcriptEntry(stored);
    state.pushEvent({ type: "delete", chatId: record.chat.id, entry });
    state.emit("delete", entry);
    return true;
  }

  return {
    sendMessage,
    sendPhoto: (p) => sendMedia(p, "photo"),
    sendDocument: (p) => sendMedia(p, "document"),
    editMessageText,
    editMessageCaption,
    editMessageReplyMarkup,
    deleteMessage,
  };
}

/**
 * What simulated users do: join (a private chat with the bot), create groups, write, press inline and reply
 * keyboard buttons, block and unblock the bot. Each action queues the update Telegram would send the bot.
 */
import type { CallbackQuery, Chat, Message, Update } from "grammy/types";
import {
  DuplicateChatError,
  InlineButtonNotFoundError,
  InvalidEmulatorInputError,
  MessageNotFoundError,
  ReplyButtonNotFoundError,
} from "./errors";
import { commandEntities } from "./formatting";
import { telegramUser } from "./messages";
import type { EmulatorState } from "./state";
import type { NewSimulatedUser, SimulatedUser } from "./types";

/** Creates a simulated user (and their private chat with the bot). */
export function createUser(state: EmulatorState, input: NewSimulatedUser = {}): SimulatedUser {
  for (const field of ["first_name", "last_name", "username", "language_code"] as const) {
    const value: unknown = input[field];
    if (value !== undefined && typeof value !== "string") {
      throw new InvalidEmulatorInputError(
        `A user's ${field} must be a string, got ${JSON.stringify(value)}.`,
      );
    }
  }
  const id = input.id ?? state.freshId("user");
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new InvalidEmulatorInputError(`A user id must be a positive integer, got ${String(id)}.`);
  }
  if (state.chats.has(id)) throw new DuplicateChatError(id);
  const user: SimulatedUser = {
    id,
    first_name: input.first_name ?? `User ${id}`,
    ...(input.last_name ? { last_name: input.last_name } : {}),
    ...(input.username ? { username: input.username } : {}),
    language_code: input.language_code ?? "en",
  };
  state.usersById.set(id, user);
  const chat: Chat.PrivateChat = {
    id,
    type: "private",
    first_name: user.first_name,
    ...(user.last_name ? { last_name: user.last_name } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
  state.chats.set(id, { chat, nextMessageId: 1, messages: new Map() });
  state.pushEvent({ type: "user", chatId: id, user: { ...user }, blocked: false });
  return { ...user };
}

/** Creates a group chat (negative id). */
export function createGroup(
  state: EmulatorState,
  input: { id?: number; title?: string } = {},
): Chat.GroupChat {
  const id = input.id ?? -state.freshId("group");
  if (!Number.isSafeInteger(id) || id >= 0) {
    throw new InvalidEmulatorInputError(`A group id must be a negative integer, got ${String(id)}.`);
  }
  if (state.chats.has(id)) throw new DuplicateChatError(id);
  const chat: Chat.GroupChat = { id, type: "group", title: input.title ?? `Group ${-id}` };
  state.chats.set(id, { chat, nextMessageId: 1, messages: new Map() });
  state.persistentChange();
  return { ...chat };
}

/**
 * The user writes `text` in their private chat or in `chatId`, optionally as a reply to message
 * `replyToMessageId` of that chat (how staff answer a handoff thread); commands get `bot_command` entities.
 */
export function sendText(
  state: EmulatorState,
  userId: number,
  text: string,
  chatId?: number,
  replyToMessageId?: number,
): Update {
  const user = state.requireActiveUser(userId);
  const record = state.requireChat(chatId ?? userId);
  if (text.trim() === "") {
    throw new InvalidEmulatorInputError("Telegram clients cannot send an empty message; pass some text.");
  }
  let replyTo: Message | undefined;
  if (replyToMessageId !== undefined) {
    const target = record.messages.get(replyToMessageId);
    if (!target || target.deleted) throw new MessageNotFoundError(record.chat.id, replyToMessageId);
    // As in Telegram, the replied-to message comes without its own reply_to_message.
    const { reply_to_message: _nested, ...replied } = structuredClone(target.message);
    replyTo = replied as Message;
  }
  const entities = commandEntities(text);
  const message = {
    message_id: record.nextMessageId++,
    from: telegramUser(user),
    chat: { ...record.chat },
    date: state.unixNow(),
    text,
    ...(entities.length > 0 ? { entities } : {}),
    ...(replyTo ? { reply_to_message: replyTo } : {}),
  } as Message;
  state.storeMessage(record, {
    chatId: record.chat.id,
    sender: "user",
    message,
    previousVersions: [],
    deleted: false,
  });
  return state.createUpdate(
    { message: structuredClone(message) } as Omit<Update, "update_id">,
    record.chat.id,
  );
}

/** The user presses an inline button with `callbackData` on a bot message that shows it. */
export function pressButton(
  state: EmulatorState,
  userId: number,
  messageId: number,
  callbackData: string,
  chatId?: number,
): Update {
  const user = state.requireActiveUser(userId);
  const record = state.requireChat(chatId ?? userId);
  const stored = record.messages.get(messageId);
  if (!stored || stored.deleted || stored.sender !== "bot")
    throw new MessageNotFoundError(record.chat.id, messageId);
  const available = (stored.message.reply_markup?.inline_keyboard ?? [])
    .flat()
    .flatMap((button) => ("callback_data" in button && button.callback_data ? [button.callback_data] : []));
  if (!available.includes(callbackData)) {
    throw new InlineButtonNotFoundError(record.chat.id, messageId, callbackData, available);
  }
  const id = String(4_000_000_000_000_000 + state.freshId("query"));
  const query = {
    id,
    from: telegramUser(user),
    message: structuredClone(stored.message) as CallbackQuery["message"],
    chat_instance: String(BigInt(record.chat.id) * 7919n + BigInt(state.botInfo.id)),
    data: callbackData,
  } as CallbackQuery;
  state.callbackQueries.set(id, { query, chatId: record.chat.id });
  return state.createUpdate({ callback_query: structuredClone(query) }, record.chat.id);
}

/** The user taps a button of the reply keyboard the chat shows, which sends its text. */
export function pressReplyButton(
  state: EmulatorState,
  userId: number,
  text: string,
  chatId?: number,
): Update {
  const record = state.requireChat(chatId ?? userId);
  const available = (record.replyKeyboard?.keyboard ?? [])
    .flat()
    .map((button) => (typeof button === "string" ? button : button.text));
  if (!available.includes(text)) throw new ReplyButtonNotFoundError(record.chat.id, text, available);
  const update = sendText(state, userId, text, chatId);
  if (record.replyKeyboard?.one_time_keyboard) record.replyKeyboard = undefined;
  return update;
}

/** Blocks or unblocks the bot for a user; the bot hears of it by a `my_chat_member` update if `notifyBot`. */
export function setBlocked(state: EmulatorState, userId: number, blocked: boolean, notifyBot: boolean): void {
  const user = state.requireUser(userId);
  if (state.blocked.has(userId) === blocked) return;
  if (blocked) state.blocked.add(userId);
  else state.blocked.delete(userId);
  state.pushEvent({ type: "user", chatId: userId, user: { ...user }, blocked });
  if (!notifyBot) return;
  const bot = state.botUser();
  const member = { status: "member", user: bot };
  const kicked = { status: "kicked", user: bot, until_date: 0 };
  const record = state.requireChat(userId);
  state.createUpdate(
    {
      my_chat_member: {
        chat: { ...record.chat },
        from: telegramUser(user),
        date: state.unixNow(),
        old_chat_member: blocked ? member : kicked,
        new_chat_member: blocked ? kicked : member,
      },
    } as Omit<Update, "update_id">,
    userId,
  );
}

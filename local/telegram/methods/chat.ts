/**
 * Bot API methods around a chat that create no message: answerCallbackQuery, sendChatAction and the command
 * menu (setMyCommands, getMyCommands, deleteMyCommands), with the scope resolution the menu uses.
 */
import type { BotCommand } from "grammy/types";
import { badRequest, forbidden } from "../errors";
import { chatActions } from "../messages";
import type { BotApiParams } from "../params";
import type { EmulatorState } from "../state";
import type { MethodContext, MethodRunner } from "./context";
import { chatParam } from "./messages";

/** The key a command list is stored under: its scope and language. */
export function commandsKey(scope: Record<string, unknown>, language: string): string {
  const parts = [scope.type, scope.chat_id, scope.user_id].filter((part) => part !== undefined).map(String);
  return `${parts.join(":")}|${language}`;
}

/** The commands a user's menu shows in a chat, resolved through scopes and languages as Telegram does. */
export function menuCommands(state: EmulatorState, chatId: number, languageCode = ""): BotCommand[] {
  const record = state.requireChat(chatId);
  const scopes =
    record.chat.type === "private"
      ? [{ type: "chat", chat_id: chatId }, { type: "all_private_chats" }, { type: "default" }]
      : [{ type: "chat", chat_id: chatId }, { type: "all_group_chats" }, { type: "default" }];
  for (const scope of scopes) {
    for (const language of languageCode ? [languageCode, ""] : [""]) {
      const commands = state.commands.get(commandsKey(scope, language));
      if (commands) return structuredClone(commands);
    }
  }
  return [];
}

/** The chat methods, by name. */
export function chatMethods({ state }: MethodContext): Record<string, MethodRunner> {
  function scopeKey(p: BotApiParams): string {
    const scope = p.json<Record<string, unknown>>("scope", "BotCommandScope") ?? { type: "default" };
    const type = typeof scope.type === "string" ? scope.type : "";
    const chatScopes = ["chat", "chat_administrators", "chat_member"];
    const known = [
      "default",
      "all_private_chats",
      "all_group_chats",
      "all_chat_administrators",
      ...chatScopes,
    ];
    if (!known.includes(type)) throw badRequest("can't parse BotCommandScope JSON object");
    if (chatScopes.includes(type) && !state.chats.has(Number(scope.chat_id)))
      throw badRequest("chat not found");
    const language = p.string("language_code") ?? "";
    if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language code specified");
    return commandsKey(scope, language);
  }

  function answerCallbackQuery(p: BotApiParams): true {
    const id = p.string("callback_query_id");
    const record = id === undefined ? undefined : state.callbackQueries.get(id);
    if (!record || record.answer) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    const text = p.string("text");
    if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
    const url = p.string("url");
    record.answer = {
      ...(text ? { text } : {}),
      showAlert: p.boolean("show_alert"),
      ...(url ? { url } : {}),
    };
    const messageId = record.query.message?.message_id;
    state.pushEvent({
      type: "callback_answer",
      chatId: record.chatId,
      callbackQueryId: record.query.id,
      ...(messageId === undefined ? {} : { messageId }),
      ...record.answer,
    });
    return true;
  }

  function sendChatAction(p: BotApiParams): true {
    const record = chatParam(state, p);
    const action = p.string("action") ?? "";
    if (!chatActions.has(action)) throw badRequest("wrong parameter action in request");
    if (state.blocked.has(record.chat.id)) throw forbidden("bot was blocked by the user");
    state.pushEvent({ type: "chat_action", chatId: record.chat.id, action });
    return true;
  }

  function setMyCommands(p: BotApiParams): true {
    const commands = p.json<unknown>("commands", "commands");
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    if (commands.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
    const valid: BotCommand[] = commands.map((item: unknown) => {
      const { command, description } = (item ?? {}) as Partial<BotCommand>;
      if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command.replace(/^\//, ""))) {
        throw badRequest("BOT_COMMAND_INVALID");
      }
      if (typeof description !== "string" || description.length < 1 || description.length > 256) {
        throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
      }
      return { command: command.replace(/^\//, ""), description };
    });
    const key = scopeKey(p);
    if (valid.length === 0) state.commands.delete(key);
    else state.commands.set(key, valid);
    state.persistentChange();
    return true;
  }

  return {
    answerCallbackQuery,
    sendChatAction,
    setMyCommands,
    getMyCommands: (p) => state.commands.get(scopeKey(p)) ?? [],
    deleteMyCommands: (p) => {
      state.commands.delete(scopeKey(p));
      state.persistentChange();
      return true;
    },
  };
}

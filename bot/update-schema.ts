/**
 * What the webhook accepts before any feature runs: the parts of a Telegram update the bot reads, with the
 * types and limits Telegram itself guarantees. An update that fails (only a forged or broken sender makes
 * one) is acknowledged and logged by the webhook, and nothing is written; re-sending it would not fix it.
 * Hand-written rather than a schema library: a few checks, nothing added to the webhook's cold start.
 */

import { maxCallbackDataBytes } from "./callback-data";

/** Telegram's limit on a message text; longer text is cut to it before anything reads it. */
export const maxTextLength = 4096;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isId = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value);
const chatTypes = new Set(["private", "group", "supergroup", "channel"]);

function userProblem(user: unknown, path: string): string | undefined {
  if (!isObject(user)) return `${path} is not an object`;
  if (!isId(user.id)) return `${path}.id is not an integer`;
  if (typeof user.is_bot !== "boolean") return `${path}.is_bot is not a boolean`;
  if (typeof user.first_name !== "string") return `${path}.first_name is not a string`;
  if (user.language_code !== undefined && typeof user.language_code !== "string")
    return `${path}.language_code is not a string`;
  return undefined;
}

function chatProblem(chat: unknown, path: string): string | undefined {
  if (!isObject(chat)) return `${path} is not an object`;
  if (!isId(chat.id)) return `${path}.id is not an integer`;
  if (typeof chat.type !== "string" || !chatTypes.has(chat.type)) return `${path}.type is not a chat type`;
  return undefined;
}

function messageProblem(message: unknown, path: string): string | undefined {
  if (!isObject(message)) return `${path} is not an object`;
  if (!isId(message.message_id)) return `${path}.message_id is not an integer`;
  const problem =
    chatProblem(message.chat, `${path}.chat`) ??
    (message.from === undefined ? undefined : userProblem(message.from, `${path}.from`));
  if (problem) return problem;
  for (const field of ["text", "caption"] as const)
    if (message[field] !== undefined && typeof message[field] !== "string")
      return `${path}.${field} is not a string`;
  const entities = message.entities;
  if (entities !== undefined) {
    if (!Array.isArray(entities)) return `${path}.entities is not an array`;
    for (const entity of entities)
      if (
        !isObject(entity) ||
        typeof entity.type !== "string" ||
        !isId(entity.offset) ||
        !isId(entity.length)
      )
        return `${path}.entities has an entity without type, offset and length`;
  }
  return undefined;
}

/**
 * Why `update` is not one the bot can safely handle, or undefined when it is. Only the kinds the bot reads
 * (messages, button presses, membership changes) are checked field by field; others pass through unread.
 */
export function updateProblem(update: Json): string | undefined {
  if (!isId(update.update_id) || (update.update_id as number) < 0) return "update_id is not a whole number";
  for (const kind of ["message", "edited_message", "channel_post", "edited_channel_post"] as const)
    if (update[kind] !== undefined) return messageProblem(update[kind], kind);
  const query = update.callback_query;
  if (query !== undefined) {
    if (!isObject(query)) return "callback_query is not an object";
    if (typeof query.id !== "string") return "callback_query.id is not a string";
    const problem =
      userProblem(query.from, "callback_query.from") ??
      (query.message === undefined ? undefined : messageProblem(query.message, "callback_query.message"));
    if (problem) return problem;
    if (query.data !== undefined) {
      if (typeof query.data !== "string") return "callback_query.data is not a string";
      if (Buffer.byteLength(query.data) > maxCallbackDataBytes)
        return `callback_query.data is over Telegram's ${maxCallbackDataBytes} bytes`;
    }
    return undefined;
  }
  const member = update.my_chat_member;
  if (member !== undefined) {
    if (!isObject(member)) return "my_chat_member is not an object";
    const problem =
      chatProblem(member.chat, "my_chat_member.chat") ?? userProblem(member.from, "my_chat_member.from");
    if (problem) return problem;
    if (!isObject(member.new_chat_member) || typeof member.new_chat_member.status !== "string")
      return "my_chat_member.new_chat_member has no status";
  }
  return undefined;
}

/**
 * Telegram's `getMe` result, built from configuration so no cold start or local run has to call `getMe`.
 */
import type { UserFromGetMe } from "grammy/types";

/** A `getMe` result for a bot with the given id and username; capability flags default to false. */
export function botInfoFor(id: number, username: string, firstName = "Lambdagram"): UserFromGetMe {
  return {
    id,
    is_bot: true,
    first_name: firstName,
    username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  } as UserFromGetMe;
}

/** The bot id is the number before the colon of a bot token. */
export function botIdFromToken(token: string): number {
  const id = Number(token.split(":")[0]);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new Error("The bot token does not look like `<bot id>:<secret>`; copy it again from @BotFather.");
  return id;
}

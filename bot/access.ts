/**
 * Who may do what in an update: the operator's admins (`BotConfig.adminUserIds`), and whether the update is in
 * a private chat, where what is shown reaches the user alone (never the other members of a group). One
 * definition, so every admin command and every personal-data screen asks the same question.
 */
import type { BotContext } from "./context";

/** True when the update's sender is one of the configured admins. */
export function isAdmin(ctx: BotContext): boolean {
  const userId = ctx.from?.id;
  return userId !== undefined && ctx.deps.config.adminUserIds.includes(userId);
}

/** True when the update comes from a private chat with the bot. */
export function isPrivateChat(ctx: BotContext): boolean {
  return ctx.chat?.type === "private";
}

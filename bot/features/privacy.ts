/**
 * Privacy: /privacy shows what the bot stores and for how long (content/privacy.yaml, with the retention
 * figures of this deployment filled in); /forget deletes everything about the user after a confirmation that
 * expires. The erasure itself is the conversation's (bot/conversation.ts, `ctx.erase`): it runs the eraser
 * over every store (bot/privacy/eraser.ts) instead of saving the chat, so not even the confirmation's chat
 * state is left, and sends the goodbye straight away.
 */
import { randomBytes } from "node:crypto";
import { Composer, InlineKeyboard } from "grammy";
import type { Content } from "../../content/schema";
import { isPrivateChat } from "../access";
import { recipientItemTtlSeconds } from "../broadcast/store/port";
import { callbackData, onCallback } from "../callback-data";
import type { BotConfig, BotContext } from "../context";
import { fill, pick } from "../i18n";
import { acknowledge, answerUsedButton, retireKeyboard } from "../keyboards";
import { tipItemTtlSeconds } from "../recommendations/store/port";

/** Minutes the Confirm button of a /forget works. */
export const forgetConfirmationMinutes = 10;

const days = (seconds: number) => Math.round(seconds / 86_400);

/** The privacy policy in `language`, with this deployment's retention figures. */
export function privacyPolicyText(
  content: Pick<Content, "privacy" | "settings">,
  config: Pick<BotConfig, "inboxRetentionDays" | "forgetBlockedAfterDays">,
  language: string,
): string {
  return fill(pick(content.privacy.policy, language, content.settings.defaultLanguage), {
    inboxDays: config.inboxRetentionDays,
    forgetDays: config.forgetBlockedAfterDays,
    tipDays: days(tipItemTtlSeconds),
    broadcastDays: days(recipientItemTtlSeconds),
  });
}

/** Whether the update is the Confirm of a /forget (it must not register a user: bot/conversation.ts). */
export function isForgetConfirmation(ctx: BotContext): boolean {
  const data = ctx.callbackQuery?.data;
  return data !== undefined && callbackData.forgetConfirm.decode(data) !== undefined;
}

function showPolicy(ctx: BotContext): void {
  const text = privacyPolicyText(ctx.deps.content, ctx.deps.config, ctx.lang);
  ctx.say(
    text,
    isPrivateChat(ctx)
      ? {
          reply_markup: new InlineKeyboard().text(ctx.t("privacy.forgetButton"), callbackData.forgetAsk.data),
        }
      : undefined,
  );
}

/** In a group the chat state is shared: only a private chat proves who confirms. */
function refuseOutsidePrivate(ctx: BotContext): void {
  const username = ctx.me?.username;
  ctx.say(
    ctx.t("forget.privateOnly"),
    username
      ? {
          reply_markup: new InlineKeyboard().url(
            ctx.t("questionnaire.openPrivate"),
            `https://t.me/${username}`,
          ),
        }
      : undefined,
  );
}

/** Asks for the confirmation; its buttons carry a fresh nonce, so an older /forget's buttons no longer work. */
function askToForget(ctx: BotContext): void {
  if (!isPrivateChat(ctx)) {
    refuseOutsidePrivate(ctx);
    return;
  }
  const nonce = randomBytes(6).toString("hex");
  const expiresAt = new Date(ctx.deps.clock.now().getTime() + forgetConfirmationMinutes * 60_000);
  ctx.session.forgetRequest = { nonce, expiresAt: expiresAt.toISOString() };
  ctx.say(ctx.t("forget.confirm", { minutes: forgetConfirmationMinutes }), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("forget.yes"), callbackData.forgetConfirm.encode(nonce))
      .text(ctx.t("forget.no"), callbackData.forgetCancel.encode(nonce)),
  });
}

/** Says goodbye and has the conversation erase the user instead of saving the chat. */
function forget(ctx: BotContext, userId: number): void {
  acknowledge(ctx);
  retireKeyboard(ctx);
  ctx.say(ctx.t("forget.done"));
  ctx.erase = { userId };
}

function confirmForget(ctx: BotContext, nonce: string): void {
  const userId = ctx.from?.id;
  if (userId === undefined || !isPrivateChat(ctx)) {
    answerUsedButton(ctx);
    return;
  }
  const request = ctx.session.forgetRequest;
  // Nothing stored for this chat (a fresh state has no update ids yet): this Confirm was already carried out
  // and Telegram re-delivers it, or the data is gone anyway. Erasing again is harmless and finishes any part
  // an interrupted run left; the user gets the goodbye that may have been lost.
  if (!request && ctx.session.recentUpdateIds.length === 0) {
    forget(ctx, userId);
    return;
  }
  if (request?.nonce !== nonce) {
    answerUsedButton(ctx);
    return;
  }
  ctx.session.forgetRequest = undefined;
  if (ctx.deps.clock.now().getTime() > Date.parse(request.expiresAt)) {
    acknowledge(ctx);
    retireKeyboard(ctx);
    ctx.say(ctx.t("forget.expired"));
    return;
  }
  forget(ctx, userId);
}

function cancelForget(ctx: BotContext, nonce: string): void {
  if (ctx.session.forgetRequest?.nonce !== nonce) {
    answerUsedButton(ctx);
    return;
  }
  ctx.session.forgetRequest = undefined;
  acknowledge(ctx);
  retireKeyboard(ctx);
  ctx.say(ctx.t("forget.cancelled"));
}

/**
 * A user who unblocks the bot taps "Restart", which sends /start: if their profile is still marked blocked
 * (the unblocking `my_chat_member` update was lost), they are unmarked here, so broadcasts reach them again and
 * the sweep does not forget them. Costs one GetItem per /start of a chat seen before, and a write only when
 * blocked. A chat's first update needs no read: only users who had written to the bot could be marked blocked,
 * and their chat state exists until they are forgotten (profile and chat state go together).
 */
async function unmarkReturningUser(ctx: BotContext): Promise<void> {
  const userId = ctx.from?.id;
  if (userId === undefined || !isPrivateChat(ctx)) return;
  if (ctx.session.recentUpdateIds.length === 0) return;
  await ctx.once("privacy.unblock", async () => {
    const profile = await ctx.deps.storage.users.get(userId);
    if (profile?.blocked) await ctx.deps.storage.users.update(userId, { blocked: false });
  });
}

/** Composer: /privacy, /forget and the confirmation's buttons; registered before /start's own handler. */
export function privacyFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("start", async (ctx, next) => {
    await unmarkReturningUser(ctx);
    await next();
  });
  composer.command("privacy", showPolicy);
  composer.command("forget", askToForget);
  onCallback(composer, callbackData.forgetAsk, (ctx) => {
    acknowledge(ctx);
    askToForget(ctx);
  });
  onCallback(composer, callbackData.forgetConfirm, confirmForget);
  onCallback(composer, callbackData.forgetCancel, cancelForget);
  return composer;
}

/**
 * Daily tips subscriptions: /subscribe and /unsubscribe, stored in the user's profile together with the
 * tip hour chosen in the learner profile (the recommendations handler reads them).
 */
import { Composer, InlineKeyboard } from "grammy";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { acknowledge, mainMenu } from "../keyboards";
import type { UserProfile } from "../ports";

/** The profile of the user behind this update, created on first contact by the conversation middleware. */
async function profileOf(ctx: BotContext): Promise<UserProfile | undefined> {
  const userId = ctx.from?.id;
  return userId === undefined ? undefined : ctx.deps.storage.users.get(userId);
}

/** Subscribes the user (idempotent); suggests the learner profile when tips cannot be personalised yet. */
export async function subscribe(ctx: BotContext): Promise<void> {
  // Decided and written once per update: a re-run after a conflict must not find its own write and say "already".
  const outcome = await ctx.once("subscribe", async () => {
    const profile = await profileOf(ctx);
    if (!profile) return undefined;
    const hour = profile.tipHour ?? ctx.deps.config.defaultTipHour;
    if (profile.subscribed && !profile.blocked) return { already: true, hour, personalised: true };
    await ctx.deps.storage.users.update(profile.userId, {
      subscribed: true,
      blocked: false,
      tipHour: hour,
      updatedAt: ctx.deps.clock.now().toISOString(),
    });
    return { already: false, hour, personalised: Boolean(profile.topics && profile.level) };
  });
  if (!outcome) return;
  const { hour } = outcome;
  if (outcome.already) {
    ctx.say(ctx.t("subscribe.already", { hour }), { reply_markup: mainMenu(ctx) });
    return;
  }
  ctx.say(ctx.t("subscribe.done", { hour }));
  if (!outcome.personalised)
    ctx.say(ctx.t("subscribe.profileHint"), {
      reply_markup: new InlineKeyboard().text(
        ctx.t("menu.questionnaires"),
        callbackData.questionnaire.encode("learner-profile"),
      ),
    });
}

/** Unsubscribes the user (idempotent). */
export async function unsubscribe(ctx: BotContext): Promise<void> {
  const outcome = await ctx.once("unsubscribe", async () => {
    const profile = await profileOf(ctx);
    if (!profile) return undefined;
    if (!profile.subscribed) return "not-subscribed" as const;
    await ctx.deps.storage.users.update(profile.userId, {
      subscribed: false,
      updatedAt: ctx.deps.clock.now().toISOString(),
    });
    return "unsubscribed" as const;
  });
  if (!outcome) return;
  if (outcome === "not-subscribed") {
    ctx.say(ctx.t("unsubscribe.notSubscribed"), { reply_markup: mainMenu(ctx) });
    return;
  }
  ctx.say(ctx.t("unsubscribe.done"), { reply_markup: mainMenu(ctx) });
}

/** "Daily tips" in the menu: the current status and the button that flips it. */
export async function showTips(ctx: BotContext): Promise<void> {
  const profile = await profileOf(ctx);
  const subscribed = Boolean(profile?.subscribed && !profile.blocked);
  ctx.say(ctx.t("tips.status", { status: ctx.t(subscribed ? "subscribe.on" : "subscribe.off") }), {
    reply_markup: new InlineKeyboard().text(
      ctx.t(subscribed ? "tips.unsubscribe" : "tips.subscribe"),
      subscribed ? callbackData.unsubscribe.data : callbackData.subscribe.data,
    ),
  });
}

/** Composer: subscription commands and buttons. */
export function subscriptionsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("subscribe", subscribe);
  composer.command("unsubscribe", unsubscribe);
  onCallback(composer, callbackData.subscribe, async (ctx) => {
    acknowledge(ctx);
    await subscribe(ctx);
  });
  onCallback(composer, callbackData.unsubscribe, async (ctx) => {
    acknowledge(ctx);
    await unsubscribe(ctx);
  });
  // The user blocked (or unblocked) the bot in a private chat: stop or allow sending to them.
  composer.on("my_chat_member", async (ctx) => {
    const userId = ctx.from?.id;
    if (userId === undefined || ctx.chat.type !== "private") return;
    const status = ctx.myChatMember.new_chat_member.status;
    const blocked = status === "kicked" || status === "left";
    if (!(await ctx.deps.storage.users.get(userId))) return;
    await ctx.deps.storage.users.update(userId, {
      blocked,
      ...(blocked ? { subscribed: false } : {}),
      updatedAt: ctx.deps.clock.now().toISOString(),
    });
    ctx.deps.logger.info(blocked ? "user blocked the bot" : "user unblocked the bot", { userId });
  });
  return composer;
}

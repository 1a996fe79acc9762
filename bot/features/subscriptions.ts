/**
 * Daily tips subscriptions: /subscribe and /unsubscribe, stored in the user's profile together with the
 * tip hour (chosen in the learner profile or with the tip-hour picker; the recommendations handler reads them).
 */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { acknowledge, callbacks, grid, mainMenu } from "../keyboards";
import type { UserProfile } from "../ports";

/** The profile of the user behind this update, created on first contact by the conversation middleware. */
async function profileOf(ctx: BotContext): Promise<UserProfile | undefined> {
  const userId = ctx.from?.id;
  return userId === undefined ? undefined : ctx.deps.storage.users.get(userId);
}

/** Subscribes the user (idempotent); suggests the learner profile when tips cannot be personalised yet. */
export async function subscribe(ctx: BotContext): Promise<void> {
  const profile = await profileOf(ctx);
  if (!profile) return;
  const hour = profile.tipHour ?? ctx.deps.config.defaultTipHour;
  if (profile.subscribed && !profile.blocked) {
    ctx.say(ctx.t("subscribe.already", { hour }), { reply_markup: mainMenu(ctx) });
    return;
  }
  await ctx.deps.storage.users.update(profile.userId, {
    subscribed: true,
    blocked: false,
    tipHour: hour,
    updatedAt: ctx.deps.clock.now().toISOString(),
  });
  ctx.say(ctx.t("subscribe.done", { hour }));
  if (!profile.topics || !profile.level)
    ctx.say(ctx.t("subscribe.profileHint"), {
      reply_markup: new InlineKeyboard().text(
        ctx.t("menu.questionnaires"),
        `${callbacks.questionnaire}learner-profile`,
      ),
    });
}

/** Unsubscribes the user (idempotent). */
export async function unsubscribe(ctx: BotContext): Promise<void> {
  const profile = await profileOf(ctx);
  if (!profile) return;
  if (!profile.subscribed) {
    ctx.say(ctx.t("unsubscribe.notSubscribed"), { reply_markup: mainMenu(ctx) });
    return;
  }
  await ctx.deps.storage.users.update(profile.userId, {
    subscribed: false,
    updatedAt: ctx.deps.clock.now().toISOString(),
  });
  ctx.say(ctx.t("unsubscribe.done"), { reply_markup: mainMenu(ctx) });
}

/** "Daily tips" in the menu: the current status, the button that flips it, and the tip-hour picker. */
export async function showTips(ctx: BotContext): Promise<void> {
  const profile = await profileOf(ctx);
  const subscribed = Boolean(profile?.subscribed && !profile.blocked);
  ctx.say(ctx.t("tips.status", { status: ctx.t(subscribed ? "subscribe.on" : "subscribe.off") }), {
    reply_markup: new InlineKeyboard()
      .text(
        ctx.t(subscribed ? "tips.unsubscribe" : "tips.subscribe"),
        subscribed ? callbacks.unsubscribe : callbacks.subscribe,
      )
      .text(ctx.t("tips.changeHour"), callbacks.tipHour),
  });
}

/**
 * The tip-hour picker: 24 buttons, the current hour ticked. Hours are in the schedule's time zone, the one
 * the recommendations schedule runs in (the same hour the learner profile's tip-hour question sets).
 */
export async function askTipHour(ctx: BotContext): Promise<void> {
  const profile = await profileOf(ctx);
  const current = profile?.tipHour ?? ctx.deps.config.defaultTipHour;
  const hours = Array.from({ length: 24 }, (_, hour) => ({
    text: `${hour === current ? "✅ " : ""}${hour}:00`,
    data: `${callbacks.tipHour}${hour}`,
  }));
  ctx.say(ctx.t("tips.hourPrompt", { hour: current }), { reply_markup: grid(hours, 4) });
}

/** Sets the daily tip's hour (0-23); a user who is not subscribed is offered the subscribe button. */
export async function setTipHour(ctx: BotContext, hour: number): Promise<void> {
  const profile = await profileOf(ctx);
  if (!profile) return;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    await askTipHour(ctx);
    return;
  }
  await ctx.deps.storage.users.update(profile.userId, {
    tipHour: hour,
    updatedAt: ctx.deps.clock.now().toISOString(),
  });
  const subscribed = profile.subscribed && !profile.blocked;
  ctx.say(ctx.t(subscribed ? "tips.hourChanged" : "tips.hourChangedNotSubscribed", { hour }), {
    reply_markup: subscribed
      ? mainMenu(ctx)
      : new InlineKeyboard().text(ctx.t("tips.subscribe"), callbacks.subscribe),
  });
}

/** Composer: subscription commands and buttons. */
export function subscriptionsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("subscribe", subscribe);
  composer.command("unsubscribe", unsubscribe);
  composer.callbackQuery(callbacks.subscribe, async (ctx) => {
    acknowledge(ctx);
    await subscribe(ctx);
  });
  composer.callbackQuery(callbacks.unsubscribe, async (ctx) => {
    acknowledge(ctx);
    await unsubscribe(ctx);
  });
  composer.callbackQuery(new RegExp(`^${callbacks.tipHour}(\\d{0,2})$`), async (ctx) => {
    acknowledge(ctx);
    const hour = ctx.match?.[1] ?? "";
    await (hour === "" ? askTipHour(ctx) : setTipHour(ctx, Number(hour)));
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

/**
 * Daily tips subscriptions: /subscribe and /unsubscribe, stored in the user's profile together with the
 * tip hour (chosen in the learner profile or with the tip-hour picker; the recommendations handler reads them).
 */
import { Composer, InlineKeyboard } from "grammy";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { acknowledge, grid, mainMenu } from "../keyboards";
import type { UserProfile } from "../storage/port";

/** The profile of the user behind this update, created on first contact by the conversation middleware. */
async function profileOf(ctx: BotContext): Promise<UserProfile | undefined> {
  const userId = ctx.from?.id;
  return userId === undefined ? undefined : ctx.deps.storage.users.get(userId);
}

/** The deep-link payload of "Open a private chat" from a group: `/start subscribe` subscribes there. */
export const subscribeStartPayload = "subscribe";

/**
 * A user who never opened a private chat with the bot has no profile, and Telegram lets no bot write to them
 * first: tips cannot reach them. In a group they get a link that opens the private chat and subscribes there.
 */
function sendToPrivateChat(ctx: BotContext): void {
  const username = ctx.me?.username;
  ctx.say(
    ctx.t("subscribe.privateFirst"),
    username
      ? {
          reply_markup: new InlineKeyboard().url(
            ctx.t("questionnaire.openPrivate"),
            `https://t.me/${username}?start=${subscribeStartPayload}`,
          ),
        }
      : undefined,
  );
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
  if (!outcome) return sendToPrivateChat(ctx);
  const { hour } = outcome;
  if (outcome.already) {
    ctx.say(ctx.t("subscribe.already", { hour, zone: tipZone(ctx) }), { reply_markup: mainMenu(ctx) });
    return;
  }
  ctx.say(ctx.t("subscribe.done", { hour, zone: tipZone(ctx) }));
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

/** "Daily tips" in the menu: the current status, the button that flips it, and the tip-hour picker. */
export async function showTips(ctx: BotContext): Promise<void> {
  const profile = await profileOf(ctx);
  const subscribed = Boolean(profile?.subscribed && !profile.blocked);
  ctx.say(ctx.t("tips.status", { status: ctx.t(subscribed ? "subscribe.on" : "subscribe.off") }), {
    reply_markup: new InlineKeyboard()
      .text(
        ctx.t(subscribed ? "tips.unsubscribe" : "tips.subscribe"),
        subscribed ? callbackData.unsubscribe.data : callbackData.subscribe.data,
      )
      .text(ctx.t("tips.changeHour"), callbackData.tipHour.encode("pick")),
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
    data: callbackData.tipHour.encode(hour),
  }));
  ctx.say(ctx.t("tips.hourPrompt", { hour: current, zone: tipZone(ctx) }), { reply_markup: grid(hours, 4) });
}

/** Sets the daily tip's hour (0-23); a user who is not subscribed is offered the subscribe button. */
export async function setTipHour(ctx: BotContext, hour: number): Promise<void> {
  const profile = await profileOf(ctx);
  if (!profile) return sendToPrivateChat(ctx);
  await ctx.deps.storage.users.update(profile.userId, {
    tipHour: hour,
    updatedAt: ctx.deps.clock.now().toISOString(),
  });
  const subscribed = profile.subscribed && !profile.blocked;
  ctx.say(
    ctx.t(subscribed ? "tips.hourChanged" : "tips.hourChangedNotSubscribed", {
      hour,
      zone: tipZone(ctx),
    }),
    {
      reply_markup: subscribed
        ? mainMenu(ctx)
        : new InlineKeyboard().text(ctx.t("tips.subscribe"), callbackData.subscribe.data),
    },
  );
}

/** The time zone tip hours are in: users far from it would otherwise get their tip at the wrong hour. */
export function tipZone(ctx: BotContext): string {
  return ctx.deps.config.timeZone ?? "UTC";
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
  onCallback(composer, callbackData.tipHour, async (ctx, hour) => {
    acknowledge(ctx);
    await (hour === "pick" ? askTipHour(ctx) : setTipHour(ctx, hour));
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

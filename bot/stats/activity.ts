/**
 * The update-path half of active users (the maths is in active-users.ts): on a user's first update of a UTC
 * day in their private chat, count `ActiveUser` with the gap since their previous active day and keep today in
 * the chat state, which the update saves anyway. No request is added; the metric is emitted after the save, so
 * a re-run after a version conflict counts once (and a racing update that saved today first counts it instead).
 */
import { metricDimensions, metricNames } from "../../contracts/metrics";
import { isPrivateChat } from "../access";
import type { BotContext } from "../context";
import type { Mode } from "../ports";
import { activeGap } from "./active-users";
import { dayNumber } from "./days";

/**
 * Marks the user behind this update active today. Only updates a person made (a message or a button press) in
 * a private chat count: a group's state is shared by its members, and a block is not activity.
 * `hadState`: the chat state existed before this update (false: a new user).
 */
export function markActiveDay(ctx: BotContext, hadState: boolean): void {
  if (!isPrivateChat(ctx) || !(ctx.message || ctx.callbackQuery)) return;
  const today = dayNumber(ctx.deps.clock.now());
  const gap = activeGap(ctx.session.activeDay, today, hadState);
  if (gap === undefined) return;
  ctx.session.activeDay = today;
  ctx.count(metricNames.activeUser, { [metricDimensions.gap]: gap });
}

const outcomeOf = { answer: "answered", clarify: "clarified", decline: "declined" } as const;

/**
 * Counts a classified free-text message by the chat's tier and what the bot did with it (`MessageClassified`
 * with `Tier` and `Outcome`): messages per day, the rules / NLP share and the decline rate of /stats.
 */
export function countClassified(ctx: BotContext, tier: Mode, reply: keyof typeof outcomeOf): void {
  ctx.count(metricNames.messageClassified, {
    [metricDimensions.tier]: tier,
    [metricDimensions.outcome]: outcomeOf[reply],
  });
}

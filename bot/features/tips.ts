/**
 * The buttons under a daily tip: "More like this" sends another tip of the same topic (one the user has not
 * received, or the one received longest ago), and "Unsubscribe" reuses the subscriptions feature's callback
 * (`unsub`), so there is one way to unsubscribe. With a tip history store the extra tip is remembered, so the
 * daily run does not send it again soon; without one, "More like this" walks the topic in content order.
 */
import { Composer } from "grammy";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { acknowledge, answerUsedButton } from "../keyboards";
import { tipMessage } from "../recommendations/message";
import { pickTip } from "../recommendations/picker";
import type { TipStore } from "../recommendations/store";

/** Options of {@link tipsFeature}. */
export interface TipsFeatureOptions {
  /** Where received tips are remembered (the daily run reads the same history). */
  history?: TipStore;
}

/** Composer: the "More like this" button of daily tips. */
export function tipsFeature(options: TipsFeatureOptions = {}): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  onCallback(composer, callbackData.moreLikeThis, async (ctx, tipId) => {
    const { content } = ctx.deps;
    const shown = content.recommendations.find((tip) => tip.id === tipId);
    const userId = ctx.from?.id;
    // A tip removed from the content since it was sent (or a crafted id): nothing to be "like".
    if (!shown || userId === undefined) return answerUsedButton(ctx);
    acknowledge(ctx);
    // Picked and recorded once per update: a re-run after a conflict sends the tip the first run recorded.
    const tip = await ctx.once("moreLikeThis", async () => {
      const [profile, history] = await Promise.all([
        ctx.deps.storage.users.get(userId),
        options.history ? options.history.history(userId) : [],
      ]);
      const picked = pickTip(
        content.recommendations,
        { topics: profile?.topics, level: profile?.level },
        history,
        { levels: content.settings.levels, topic: shown.topics[0], exclude: [shown.id], after: shown.id },
      );
      if (picked && options.history)
        await options.history.recordExtra(userId, picked.id, ctx.deps.clock.now());
      return picked;
    });
    if (!tip) {
      ctx.say(ctx.t("tips.noMore"));
      return;
    }
    const { text, keyboard } = tipMessage(content, tip, ctx.lang);
    ctx.say(text, { reply_markup: keyboard });
  });
  return composer;
}

/**
 * Admin broadcasts from Telegram: `/broadcast <text>` shows a preview with Send / Cancel; Send records
 * the broadcast through the {@link BroadcastQueue} port. Only configured admin ids may do this.
 */
import { Composer, InlineKeyboard } from "grammy";
import { isAdmin } from "../access";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { acknowledge } from "../keyboards";

/** Telegram's limit on a message text. */
const maxBroadcastLength = 4096;

/** Composer: /broadcast and its Send / Cancel buttons. */
export function adminFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command("broadcast", (ctx) => {
    if (!isAdmin(ctx)) {
      ctx.deps.logger.warn("broadcast refused: not an admin", { userId: ctx.from?.id });
      ctx.say(ctx.t("broadcast.refused"));
      return;
    }
    const text = ctx.match.trim();
    if (!text || text.length > maxBroadcastLength) {
      ctx.say(ctx.t("broadcast.usage"));
      return;
    }
    ctx.session.broadcastDraft = { text, createdAt: ctx.deps.clock.now().toISOString() };
    ctx.say(ctx.t("broadcast.preview"));
    ctx.say(text, {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("broadcast.send"), callbackData.broadcastSend.data)
        .text(ctx.t("broadcast.cancel"), callbackData.broadcastCancel.data),
    });
  });
  onCallback(composer, callbackData.broadcastSend, async (ctx) => {
    acknowledge(ctx);
    const draft = ctx.session.broadcastDraft;
    if (!isAdmin(ctx) || !draft || !ctx.from) return;
    const { id } = await ctx.deps.broadcasts.enqueue({
      text: draft.text,
      requestedBy: ctx.from.id,
      progressChatId: ctx.chat?.id,
      requestId: `telegram-${ctx.from.id}-${draft.createdAt}`,
    });
    ctx.session.broadcastDraft = undefined;
    ctx.deps.logger.info("broadcast queued", { broadcastId: id });
    ctx.say(ctx.t("broadcast.queued", { id }));
  });
  onCallback(composer, callbackData.broadcastCancel, (ctx) => {
    acknowledge(ctx);
    if (!ctx.session.broadcastDraft) return;
    ctx.session.broadcastDraft = undefined;
    ctx.say(ctx.t("broadcast.cancelled"));
  });
  return composer;
}

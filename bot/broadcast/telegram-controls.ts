/**
 * The "Stop broadcast" button on the admin's progress message. Only configured admins may press it; it
 * cancels through the same service as `POST /admin/broadcasts/{id}/cancel`, and the workers post the final
 * numbers when they notice (within a second).
 */
import { Composer } from "grammy";
import { isAdmin } from "../access";
import { callbackData, onCallback } from "../callback-data";
import type { BotContext } from "../context";
import { acknowledge } from "../keyboards";
import { BroadcastFinishedError, isManagedBroadcastQueue } from "./service";

/** Composer: the stop button of broadcasts. */
export function broadcastControls(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  onCallback(composer, callbackData.broadcastStop, async (ctx, broadcastId) => {
    if (!isAdmin(ctx)) {
      ctx.deps.logger.warn("broadcast stop refused: not an admin", { userId: ctx.from?.id });
      acknowledge(ctx, ctx.t("broadcast.refused"));
      return;
    }
    const queue = ctx.deps.broadcasts;
    if (!isManagedBroadcastQueue(queue)) {
      acknowledge(ctx);
      return;
    }
    try {
      const progress = await queue.cancel(broadcastId);
      ctx.deps.logger.info("broadcast stopped from Telegram", { broadcastId });
      acknowledge(ctx, ctx.t(progress ? "broadcast.stopping" : "broadcast.alreadyOver"));
    } catch (error) {
      if (!(error instanceof BroadcastFinishedError)) throw error;
      acknowledge(ctx, ctx.t("broadcast.alreadyOver"));
    }
  });
  return composer;
}

/**
 * The conversation middleware: per update, one read of the chat state and one versioned write.
 * - A repeated `update_id` (Telegram re-sends when we were slow) is acknowledged and changes nothing, unless
 *   the replies saved for it were not all sent: then the rest is sent (bot/replies.ts).
 * - Two updates of one chat racing: the loser's write fails its version check, and the update is handled
 *   again on the fresh state, so neither change is lost.
 * - Replies wait in an outbox, are saved with the state, and go out only after that save, so a retried
 *   update never sends a reply twice and a crash after the save loses none.
 */
import type { MiddlewareFn } from "grammy";
import type { BotContext, BotDeps, OutgoingCall } from "./context";
import { resolveLanguage, translator } from "./i18n";
import { createUserDataEraser, storageParticipants } from "./privacy/eraser";
import {
  pendingReplies,
  RepliesInFlightError,
  redelivery,
  replyLeaseUntil,
  type SavedChat,
  sendPending,
} from "./replies";
import { markActiveDay } from "./stats/activity";
import { type ChatState, ChatStateConflictError } from "./storage/port";

/** How many update ids per chat are remembered for the duplicate check. */
export const rememberedUpdateIds = 20;
/** Attempts at handling one update when concurrent updates of the same chat keep winning the write. */
const maxAttempts = 3;
/** How long an update without a chat (rare) is remembered for the duplicate check. */
const chatlessClaimSeconds = 24 * 60 * 60;
/** Updates whose replies this process finished sending, remembered so its own re-deliveries send nothing. */
const rememberedCompletions = 1000;

/** Options of {@link conversation}. */
export interface ConversationOptions {
  /**
   * Updates that must not create anything in a chat never seen (or already erased): no profile is registered
   * for them. The confirmed /forget is one: re-delivered after its erasure, it must not bring the user back.
   */
  leavesNoTrace?: (ctx: BotContext) => boolean;
}

/**
 * Builds the middleware that loads, guards, saves and flushes around every update. The features run as
 * `handle`, which may run more than once for one update (after a version conflict), so it is given
 * explicitly rather than as grammY's one-shot `next`.
 */
export function conversation(
  deps: BotDeps,
  handle: MiddlewareFn<BotContext>,
  options: ConversationOptions = {},
): MiddlewareFn<BotContext> {
  const { storage, content, logger } = deps;
  const eraser = deps.eraser ?? createUserDataEraser(storageParticipants(storage), { logger });
  const { languages, defaultLanguage } = content.settings;

  const next = (ctx: BotContext) => handle(ctx, async () => {});
  // A re-delivery reaching the process that sent every reply needs no lease to know they went out.
  const completed = new Set<string>();
  const remember = (key: string) => {
    completed.add(key);
    if (completed.size > rememberedCompletions) completed.delete(completed.values().next().value as string);
  };
  return async (ctx) => {
    ctx.deps = deps;
    const updateId = ctx.update.update_id;
    const chatId = ctx.chat?.id;
    if (chatId === undefined) {
      if (!(await storage.processedUpdates.claim(`update:${updateId}`, chatlessClaimSeconds))) {
        logger.info("duplicate update ignored", { updateId });
        return;
      }
      bindPerUpdate(ctx, {
        recentUpdateIds: [],
        language: resolveLanguage(ctx.from?.language_code, languages, defaultLanguage),
      });
      await next(ctx);
      await flush(ctx, ctx.outbox);
      return;
    }

    const key = `${chatId}:${updateId}`;
    // Side effects of this update, kept across its attempts (see ConversationFlavor.once).
    const effects = new Map<string, Promise<unknown>>();
    let saved: SavedChat;
    for (let attempt = 1; ; attempt++) {
      const stored = await storage.chats.load(chatId);
      if (stored?.state.recentUpdateIds.includes(updateId)) {
        await redelivered(ctx, { chatId, ...stored }, completed.has(key));
        remember(key);
        return;
      }
      // The previous update's replies are done (Telegram sends a chat's next update only after answering the
      // last), so they are left out rather than copied.
      const state: ChatState = stored
        ? structuredClone(withoutReplies(stored.state))
        : {
            recentUpdateIds: [],
            language: resolveLanguage(ctx.from?.language_code, languages, defaultLanguage),
          };
      bindPerUpdate(ctx, state, effects);
      if (!stored && !options.leavesNoTrace?.(ctx)) await registerUser(ctx);
      markActiveDay(ctx, stored !== undefined);
      await next(ctx);
      if (ctx.erase) {
        // Nothing of the user may be left, not even this update's replies: erase, then send them directly.
        await eraser.forgetUser(ctx.erase.userId);
        await flush(ctx, ctx.outbox);
        remember(key);
        return;
      }
      ctx.session.recentUpdateIds = [...ctx.session.recentUpdateIds, updateId].slice(-rememberedUpdateIds);
      ctx.session.replies =
        ctx.outbox.length > 0 ? pendingReplies(updateId, ctx.outbox, deps.clock.now()) : undefined;
      try {
        const version = await storage.chats.save(chatId, ctx.session, stored?.version ?? 0);
        saved = { chatId, state: ctx.session, version };
        break;
      } catch (error) {
        if (!(error instanceof ChatStateConflictError) || attempt >= maxAttempts) throw error;
        logger.warn("chat changed concurrently; handling the update again", { updateId, chatId, attempt });
      }
    }
    for (const metric of ctx.pendingMetrics) deps.metrics?.count(metric.name, 1, metric.dimensions);
    await sendPending(ctx, saved, false);
    remember(key);
  };
}

/**
 * A re-delivered update: nothing to do when its replies all went out (or this process sent them); asked for
 * later (503) while the process that saved them may still be sending; otherwise this delivery takes the
 * replies over with a conditional write (so only one re-delivery does) and sends what is left.
 */
async function redelivered(ctx: BotContext, stored: SavedChat, sentHere: boolean): Promise<void> {
  const { storage, clock, logger } = ctx.deps;
  const { chatId, state } = stored;
  const updateId = ctx.update.update_id;
  const now = clock.now();
  const decision = sentHere ? { kind: "done" as const } : redelivery(state.replies, updateId, now);
  if (decision.kind === "done") {
    logger.info("duplicate update ignored", { updateId, chatId });
    return;
  }
  if (decision.kind === "wait") throw new RepliesInFlightError(chatId, updateId, decision.leaseUntil);
  const replies = state.replies as NonNullable<ChatState["replies"]>;
  logger.warn("re-delivered update has unsent replies; sending the rest", {
    updateId,
    chatId,
    left: replies.calls.length - replies.sent,
  });
  const taken: ChatState = {
    ...state,
    replies: { ...replies, leaseUntil: replyLeaseUntil(now) },
  };
  const version = await storage.chats.save(chatId, taken, stored.version);
  bindPerUpdate(ctx, taken);
  await sendPending(ctx, { chatId, state: taken, version }, true);
}

/** First contact in a private chat: create the user's profile (idempotent, so a retry is harmless). */
async function registerUser(ctx: BotContext): Promise<void> {
  const from = ctx.from;
  if (!from || ctx.chat?.type !== "private") return;
  const now = ctx.deps.clock.now().toISOString();
  await ctx.deps.storage.users.createIfMissing({
    userId: from.id,
    chatId: ctx.chat.id,
    firstName: from.first_name,
    language: ctx.lang,
    createdAt: now,
    updatedAt: now,
    subscribed: false,
    blocked: false,
  });
}

function bindPerUpdate(
  ctx: BotContext,
  state: ChatState,
  effects = new Map<string, Promise<unknown>>(),
): void {
  const { content } = ctx.deps;
  ctx.session = state;
  ctx.lang = state.language ?? content.settings.defaultLanguage;
  ctx.t = translator(content, ctx.lang);
  ctx.outbox = [];
  ctx.pendingMetrics = [];
  ctx.erase = undefined;
  ctx.count = (name, dimensions) => {
    ctx.pendingMetrics.push({ name, dimensions });
  };
  ctx.once = <T>(key: string, effect: () => Promise<T>): Promise<T> => {
    let result = effects.get(key) as Promise<T> | undefined;
    if (!result) {
      result = effect();
      effects.set(key, result);
      // A failed effect fails the update; a retry of the update may try it again.
      result.catch(() => effects.delete(key));
    }
    return result;
  };
  ctx.queue = (method, payload) => {
    ctx.outbox.push({ method, payload });
  };
  ctx.say = (text, options) => {
    const chatId = ctx.chat?.id ?? ctx.from?.id;
    if (chatId === undefined) return;
    ctx.outbox.push({ method: "sendMessage", payload: { chat_id: chatId, text, ...options } });
  };
}

/**
 * Sends the queued calls of an update without a chat (nothing to save them with; such updates are claimed
 * once and rare). A failed call is logged and the rest still go out.
 */
async function flush(ctx: BotContext, outbox: OutgoingCall[]): Promise<void> {
  for (const metric of ctx.pendingMetrics) ctx.deps.metrics?.count(metric.name, 1, metric.dimensions);
  for (const call of outbox) {
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the outbox carries calls of any Bot API method.
      await (ctx.api.raw as any)[call.method](call.payload);
    } catch (error) {
      ctx.deps.logger.error("Bot API call failed after the state was saved", {
        method: call.method,
        error: (error as Error).message,
      });
    }
  }
}

/** A chat state without its saved replies. */
function withoutReplies({ replies: _replies, ...state }: ChatState): ChatState {
  return state;
}

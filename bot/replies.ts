/**
 * Replies are part of the saved state: the conversation middleware saves an update's Bot API calls with the
 * chat state (one write, the one it makes anyway), then this module sends them and marks what was sent,
 * writing only when a mark is needed. A re-delivered update whose replies were not all sent sends the rest.
 *
 * Guarantee (docs/data-model.md, "Replies"): no reply is lost while Telegram re-delivers an unanswered update,
 * and a crash repeats at most the one visible reply that was in flight. Marks cost a write only between two
 * visible sends of one update (a text answered with one message costs nothing extra), after a failed flush,
 * and on the re-delivery path.
 */
import { GrammyError, HttpError } from "grammy";
import { timeouts } from "../contracts/runtime";
import type { BotContext } from "./context";
import { type ChatState, ChatStateConflictError, type PendingReplies, type StoredCall } from "./storage/port";

/** How long the process that saved replies may still be sending them: the webhook Lambda's whole timeout. */
export const replyLeaseMs = timeouts.webhookLambdaSeconds * 1000;

/** Thrown (answered 503) when Telegram could not take a reply now: the re-delivered update sends the rest. */
export class RepliesPendingError extends Error {
  constructor(
    readonly chatId: number,
    readonly updateId: number,
    cause: unknown,
  ) {
    super(
      `Replies of update ${updateId} in chat ${chatId} are not all sent (${(cause as Error)?.message ?? cause}); ` +
        "they are saved, and Telegram's re-delivery of the update sends the rest.",
      { cause },
    );
    this.name = "RepliesPendingError";
  }
}

/** Thrown (answered 503) for a re-delivery while the process that saved the replies may still be sending. */
export class RepliesInFlightError extends Error {
  constructor(
    readonly chatId: number,
    readonly updateId: number,
    leaseUntil: string,
  ) {
    super(
      `Replies of update ${updateId} in chat ${chatId} may still be being sent by an earlier delivery (until ` +
        `${leaseUntil}); Telegram re-sends the update later and what is left is sent then.`,
    );
    this.name = "RepliesInFlightError";
  }
}

/** Calls whose repetition a user would see (a second message). Edits and callback answers repeat harmlessly. */
export function repeatsVisibly(method: string): boolean {
  return method.startsWith("send") && method !== "sendChatAction";
}

/** Telegram did not take the call now, but may later: a network error or timeout, 429 or a 5xx. */
function isTransient(error: unknown): boolean {
  if (error instanceof HttpError) return true;
  return error instanceof GrammyError && (error.error_code === 429 || error.error_code >= 500);
}

/** Payloads as plain JSON (keyboards are class instances), so any store keeps exactly what is sent. */
export function storedCalls(calls: readonly StoredCall[]): StoredCall[] {
  return JSON.parse(JSON.stringify(calls)) as StoredCall[];
}

/** The chat as last written by this update: its state and the version that write returned. */
export interface SavedChat {
  chatId: number;
  state: ChatState;
  version: number;
}

/**
 * Sends the pending replies of `chat` from the first one not marked sent. Before a visible call that follows
 * another visible call sent since the last mark, the progress is written, so a crash repeats at most the one
 * in flight. `finalMark` writes the end too (the re-delivery path; the normal path leaves the last mark as is,
 * which costs nothing and is what a re-delivery after a crash needs).
 */
export async function sendPending(ctx: BotContext, chat: SavedChat, finalMark: boolean): Promise<void> {
  const replies = chat.state.replies;
  if (!replies) return;
  const { logger } = ctx.deps;
  let current: SavedChat | undefined = chat;
  let unmarkedVisible = false;
  const mark = async (sent: number, leaseUntil = replies.leaseUntil) => {
    if (current) current = await markSent(ctx, current, replies.updateId, sent, leaseUntil);
    unmarkedVisible = false;
  };
  for (let index = replies.sent; index < replies.calls.length; index++) {
    // Past the lease another delivery may own the replies (a Lambda frozen mid-flush and thawed later): stop.
    if (ctx.deps.clock.now().getTime() >= Date.parse(replies.leaseUntil))
      throw new RepliesPendingError(chat.chatId, replies.updateId, new Error("the lease on them ran out"));
    const call = replies.calls[index] as StoredCall;
    const visible = repeatsVisibly(call.method);
    if (visible && unmarkedVisible) await mark(index);
    try {
      // biome-ignore lint/suspicious/noExplicitAny: the outbox carries calls of any Bot API method.
      const result = await (ctx.api.raw as any)[call.method](call.payload);
      if (call.afterSent) await runSentHook(ctx, call.afterSent, result);
    } catch (error) {
      if (isTransient(error)) {
        // Give the lease up at once: the re-delivery may send the rest without waiting for it to run out.
        await mark(index, ctx.deps.clock.now().toISOString());
        throw new RepliesPendingError(chat.chatId, replies.updateId, error);
      }
      logger.error("Bot API call failed after the state was saved", {
        method: call.method,
        error: (error as Error).message,
      });
    }
    if (visible) unmarkedVisible = true;
  }
  if (finalMark) await mark(replies.calls.length);
}

/**
 * Writes `sent` into the stored replies of `updateId` (a conditional write on the version). When another update
 * of the chat wrote in between, the mark goes onto its state if the replies there are still this update's;
 * otherwise they were replaced and nothing is left to mark (returns undefined: later marks are skipped).
 */
async function markSent(
  ctx: BotContext,
  chat: SavedChat,
  updateId: number,
  sent: number,
  leaseUntil: string,
): Promise<SavedChat | undefined> {
  const { storage, logger } = ctx.deps;
  let { state, version } = chat;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const replies = state.replies;
    if (replies?.updateId !== updateId) break;
    const next: ChatState = {
      ...state,
      replies: { ...replies, sent: Math.max(sent, replies.sent), leaseUntil },
    };
    try {
      return {
        chatId: chat.chatId,
        state: next,
        version: await storage.chats.save(chat.chatId, next, version),
      };
    } catch (error) {
      if (!(error instanceof ChatStateConflictError)) throw error;
      const stored = await storage.chats.load(chat.chatId);
      if (!stored) break;
      ({ state, version } = stored);
    }
  }
  logger.warn("replies no longer in the chat state; sending the rest without marks", {
    chatId: chat.chatId,
    updateId,
  });
  return undefined;
}

/** What to do with a re-delivered update, from its chat's stored replies. */
export type Redelivery = { kind: "done" } | { kind: "wait"; leaseUntil: string } | { kind: "resume" };

/** Decides between ignoring a re-delivery (all sent), asking for it later (lease running), and resuming. */
export function redelivery(replies: PendingReplies | undefined, updateId: number, now: Date): Redelivery {
  if (replies?.updateId !== updateId || replies.sent >= replies.calls.length) return { kind: "done" };
  if (now.getTime() < Date.parse(replies.leaseUntil)) return { kind: "wait", leaseUntil: replies.leaseUntil };
  return { kind: "resume" };
}

/** When a lease taken now on an update's replies ends: {@link replyLeaseMs} from now. */
export function replyLeaseUntil(now: Date): string {
  return new Date(now.getTime() + replyLeaseMs).toISOString();
}

/** Pending replies of an update, leased to this process for {@link replyLeaseMs}. */
export function pendingReplies(updateId: number, calls: readonly StoredCall[], now: Date): PendingReplies {
  return { updateId, calls: storedCalls(calls), sent: 0, leaseUntil: replyLeaseUntil(now) };
}

/** Given a sent call's result: e.g. records the id of a message posted in the support chat (bot/handoff/). */
export type SentHook = (ctx: BotContext, result: unknown, data: Record<string, unknown>) => Promise<void>;

const sentHooks = new Map<string, SentHook>();

/**
 * Registers what to do after a call marked `afterSent: { hook: name }` went out (a feature registers its hooks
 * when its module loads). The hook runs once per successful send; a failing hook is logged and the sending
 * goes on, because the call itself already reached Telegram.
 */
export function registerSentHook(name: string, hook: SentHook): void {
  sentHooks.set(name, hook);
}

async function runSentHook(
  ctx: BotContext,
  afterSent: NonNullable<StoredCall["afterSent"]>,
  result: unknown,
): Promise<void> {
  const hook = sentHooks.get(afterSent.hook);
  try {
    if (!hook) throw new Error(`no hook "${afterSent.hook}" is registered (registerSentHook)`);
    await hook(ctx, result, afterSent.data);
  } catch (error) {
    ctx.deps.logger.error("after-send hook failed; the call itself was sent", {
      hook: afterSent.hook,
      error: (error as Error).message,
    });
  }
}

/**
 * The admin's progress message of a broadcast (posted when it starts, edited as batches are counted, a final
 * edit when it ends) and the end itself: {@link finishIfComplete} marks a broadcast done once every shard is
 * planned and every planned recipient has an outcome. Shared by the worker's plan and send steps.
 */
import { InlineKeyboard } from "grammy";
import { callbackData } from "../callback-data";
import { translator } from "../i18n";
import type { WorkerDeps } from "./delivery";
import { progressOf, progressText } from "./progress";
import { sendWithRetries } from "./send";
import { type BroadcastRecord, finishedStatuses, type ShardCounters } from "./store/port";

function stopKeyboard(deps: WorkerDeps, id: string, language: string): InlineKeyboard {
  return new InlineKeyboard().text(
    translator(deps.content, language)("broadcast.stop"),
    callbackData.broadcastStop.encode(id),
  );
}

/** Posts the admin's progress message (at most once per broadcast; a failure never blocks the broadcast). */
export async function postProgressMessage(deps: WorkerDeps, record: BroadcastRecord): Promise<void> {
  const chatId = record.request.progressChatId;
  if (chatId === undefined) return;
  const admin = await deps.users.get(record.request.requestedBy);
  const language = admin?.language ?? deps.content.settings.defaultLanguage;
  const text = progressText(deps.content, language, progressOf(record, [], deps.clock.now()));
  await deps.limiter.acquire();
  try {
    const message = await deps.api.sendMessage(chatId, text, {
      reply_markup: stopKeyboard(deps, record.id, language),
    });
    await deps.store.setProgressMessage({ broadcastId: record.id, messageId: message.message_id, language });
  } catch (error) {
    deps.logger.warn("could not post the broadcast progress message", {
      broadcastId: record.id,
      error: (error as Error).message,
    });
  }
}

/**
 * Edits the admin's progress message if this worker wins the (rate-bounded) right to: at most one running
 * edit per `progressIntervalMs` across all workers and none after a final one. Final edits (done, cancelled,
 * failed) always go out, so the last one shows the numbers after the last batch counted.
 */
export async function editProgressMessage(
  deps: WorkerDeps,
  record: BroadcastRecord,
  final: boolean,
): Promise<void> {
  const chatId = record.request.progressChatId;
  const messageId = record.progressMessageId;
  if (chatId === undefined || messageId === undefined) return;
  const nowMs = deps.clock.now().getTime();
  // Skip the conditional write when the last edit we know of is recent; the write decides between workers.
  if (
    !final &&
    (record.progressEditedAt ?? Number.NEGATIVE_INFINITY) > nowMs - deps.settings.progressIntervalMs
  )
    return;
  const edit = { broadcastId: record.id, nowMs, minIntervalMs: deps.settings.progressIntervalMs, final };
  if (!(await deps.store.claimProgressEdit(edit))) return;
  const fresh = (await deps.store.get(record.id)) ?? record;
  const language = fresh.progressLanguage ?? deps.content.settings.defaultLanguage;
  const progress = progressOf(fresh, await deps.store.counters(record.id), deps.clock.now());
  const editMessage = async () => {
    await deps.api.editMessageText(chatId, messageId, progressText(deps.content, language, progress), {
      reply_markup: final ? new InlineKeyboard() : stopKeyboard(deps, record.id, language),
    });
    return { message_id: messageId };
  };
  // A running edit is one of many: one attempt. The final one is the admin's only news of the end, and
  // edits share the chat's rate limit with the progress posts, so it waits out a 429 or a 5xx (bounded).
  const outcome = await sendWithRetries(editMessage, {
    limiter: deps.limiter,
    timer: deps.timer,
    retry: final ? deps.retry : { ...deps.retry, maxAttempts: 1, maxRateLimited: 0 },
    deadline: deps.timer.now() + editPatienceMs,
    ...(deps.random ? { random: deps.random } : {}),
  });
  if (outcome.kind !== "delivered" && !outcome.detail.includes("message is not modified"))
    deps.logger.warn("could not edit the broadcast progress message", {
      broadcastId: record.id,
      final,
      error: outcome.detail,
    });
}

/** How long a progress edit may wait for its turn (and a final one, out Telegram's 429s and 5xx answers). */
const editPatienceMs = 30_000;

function handled(counters: { sent: number; blocked: number; failed: number }): number {
  return counters.sent + counters.blocked + counters.failed;
}

/** Marks the broadcast done when every shard is planned and every planned recipient has an outcome. */
export async function finishIfComplete(
  deps: WorkerDeps,
  record: BroadcastRecord,
  shard: ShardCounters,
): Promise<void> {
  if (!shard.planComplete || handled(shard) < shard.total) return;
  const all = await deps.store.counters(record.id);
  if (!all.every((counters) => counters.planComplete && handled(counters) >= counters.total)) return;
  const finished = await deps.store.transition(record.id, ["running"], "done", {
    finishedAt: deps.clock.now().toISOString(),
  });
  const current = finished ?? (await deps.store.get(record.id));
  if (finished) {
    const progress = progressOf(finished, all, deps.clock.now());
    deps.logger.info("broadcast done", {
      broadcastId: record.id,
      sent: progress.sent,
      blocked: progress.blocked,
      failed: progress.failed,
      total: progress.total,
      ratePerSecond: progress.ratePerSecond,
    });
  }
  if (current && finishedStatuses.includes(current.status)) await editProgressMessage(deps, current, true);
}

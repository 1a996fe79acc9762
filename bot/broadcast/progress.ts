/**
 * One view of a broadcast's progress, used by `GET /admin/broadcasts/{id}` and by the admin's Telegram
 * progress message, so the two always agree: sent / blocked / failed / remaining of total, the measured rate
 * and the time left at that rate.
 */
import type { Content } from "../../content/schema";
import { translator } from "../i18n";
import type { BroadcastRecord, BroadcastStatus, ShardCounters } from "./store/port";

/** Progress of a broadcast, as the admin API returns it. */
export interface BroadcastProgress {
  id: string;
  status: BroadcastStatus;
  sent: number;
  blocked: number;
  failed: number;
  /** Recipients without an outcome yet; for a cancelled or failed broadcast, those that got nothing. */
  remaining: number;
  /** Recipients planned so far (final once `planned` is true). */
  total: number;
  /** Every audience shard has been paged, so `total` is final. */
  planned: boolean;
  /** Messages per second measured since the start (the configured rate before anything was sent). */
  ratePerSecond: number;
  /** Seconds left at that rate (0 once finished). */
  etaSeconds: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why a failed broadcast stopped. */
  error?: string;
}

/** Computes the progress from the META item and the shard counters. */
export function progressOf(
  record: BroadcastRecord,
  counters: readonly ShardCounters[],
  now: Date,
): BroadcastProgress {
  const sum = (field: "total" | "sent" | "blocked" | "failed") =>
    counters.reduce((total, shard) => total + shard[field], 0);
  const total = sum("total");
  const sent = sum("sent");
  const blocked = sum("blocked");
  const failed = sum("failed");
  const handled = sent + blocked + failed;
  const remaining = Math.max(0, total - handled);
  const finished = record.status === "done" || record.status === "cancelled" || record.status === "failed";
  const startedMs = record.startedAt ? Date.parse(record.startedAt) : undefined;
  const endMs = record.finishedAt ? Date.parse(record.finishedAt) : now.getTime();
  const elapsedSeconds = startedMs === undefined ? 0 : (endMs - startedMs) / 1000;
  const measured = elapsedSeconds >= 1 && handled > 0 ? handled / elapsedSeconds : undefined;
  const rate = measured ?? record.ratePerSecond;
  return {
    id: record.id,
    status: record.status,
    sent,
    blocked,
    failed,
    remaining,
    total,
    planned: counters.length > 0 && counters.every((shard) => shard.planComplete),
    ratePerSecond: Math.round(rate * 10) / 10,
    etaSeconds: finished || rate <= 0 ? 0 : Math.ceil(remaining / rate),
    createdAt: record.createdAt,
    ...(record.startedAt ? { startedAt: record.startedAt } : {}),
    ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
}

/** `1:02:03`, `2:05` or `0:45`: a duration every language reads the same way. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The admin's progress message in their language (content/messages.yaml `broadcast.progress` and friends). */
export function progressText(content: Content, language: string, progress: BroadcastProgress): string {
  const t = translator(content, language);
  const params = {
    id: progress.id,
    sent: progress.sent,
    blocked: progress.blocked,
    failed: progress.failed,
    remaining: progress.remaining,
    total: progress.total,
    rate: progress.ratePerSecond,
    eta: formatDuration(progress.etaSeconds),
    reason: progress.error ?? "",
  };
  switch (progress.status) {
    case "done":
      return t("broadcast.finished", params);
    case "cancelled":
      return t("broadcast.stopped", params);
    case "failed":
      return t("broadcast.rejected", params);
    default:
      return t("broadcast.progress", params);
  }
}

/**
 * The small ports the bot depends on besides its storage (bot/storage/port.ts): time, logging and the
 * broadcast queue, and the chat tier.
 */

/** Which tier interprets free text in a chat. */
export type Mode = "rules" | "nlp";

/** A broadcast an admin asked for; delivery is the broadcast worker's job. */
export interface BroadcastRequest {
  text: string;
  parseMode?: "HTML" | "MarkdownV2";
  buttons?: { text: string; url: string }[];
  audience?: { languages?: string[]; topics?: string[] };
  requestedBy: number;
  /** Chat to report progress to (the admin's chat when started from Telegram). */
  progressChatId?: number;
  /** Idempotency key: enqueueing the same request id twice records one broadcast. */
  requestId: string;
}

/** Where admin broadcasts are recorded; the worker that delivers them lives behind this port. */
export interface BroadcastQueue {
  /** Records the broadcast durably and schedules its delivery; returns its id. */
  enqueue(request: BroadcastRequest): Promise<{ id: string }>;
}

/** Time, injectable so tests use a fake clock. */
export interface Clock {
  now(): Date;
}

/** Structured logging; implementations write JSON lines. Never pass message texts or personal data at info. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

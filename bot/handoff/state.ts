/**
 * What human handoff keeps in the user's chat state (saved with every update anyway, so reading it costs
 * nothing): the last question the bot declined (the "Ask a person" button carries only its key), the open
 * thread's id and end (the "in a thread until" flag: an ordinary update needs no other read), and the flood
 * counters. Pure functions over it; no Telegram, no storage.
 */
import { randomBytes } from "node:crypto";

/** A question the bot declined, ready to hand over. */
export interface HandoffQuestion {
  /** Short key the button carries (the update id in base 36). */
  key: string;
  text: string;
  /** What the bot decided (`out_of_scope`...), absent when the user asked for a person directly. */
  decision?: string;
  /** The closest intents and their confidence, best first (at most 3). */
  intents?: { intent: string; confidence: number }[];
}

/** Handoff fields of a user's chat state. */
export interface HandoffChatState {
  question?: HandoffQuestion;
  /** The thread the user's messages go to, and when it ends by itself (ISO). */
  thread?: { id: string; until: string };
  /** When the user last opened a thread (one new thread per {@link handoffLimits}.newThreadEveryMinutes). */
  openedAt?: string;
  /** Messages sent into the thread in the minute that started at `start`; `warned` once told to slow down. */
  window?: { start: string; count: number; warned?: boolean };
}

/** How long a thread stays open and how much a user may send into the support chat. */
export const handoffLimits = {
  threadHours: 24,
  messagesPerMinute: 5,
  newThreadEveryMinutes: 10,
} as const;

/** A fresh thread id: 10 random hex digits (shown to staff as a tag; says nothing about the user). */
export function newThreadId(): string {
  return randomBytes(5).toString("hex");
}

/** The hashtag staff see for a thread: tapping it in Telegram lists the thread's messages. */
export function threadTag(threadId: string): string {
  return `#t_${threadId}`;
}

/** The thread id in a text carrying a {@link threadTag}, if any. */
export function threadIdInText(text: string | undefined): string | undefined {
  return text?.match(/#t_([0-9a-f]{10})\b/)?.[1];
}

/** When a thread opened at `now` ends by itself. */
export function threadUntil(now: Date): string {
  return new Date(now.getTime() + handoffLimits.threadHours * 3600_000).toISOString();
}

/** Minutes the user must still wait before opening a new thread (0: now is fine). */
export function minutesBeforeNewThread(state: HandoffChatState | undefined, now: Date): number {
  if (!state?.openedAt) return 0;
  const waitMs = Date.parse(state.openedAt) + handoffLimits.newThreadEveryMinutes * 60_000 - now.getTime();
  return waitMs > 0 ? Math.ceil(waitMs / 60_000) : 0;
}

/**
 * Counts one message into the thread if the user is under the per-minute limit (a fixed one-minute window):
 * `admitted`; over it, `warn` the first time in the window (the user is told once) and `drop` after that.
 */
export function admitMessage(state: HandoffChatState, now: Date): "admitted" | "warn" | "drop" {
  const window = state.window;
  if (!window || now.getTime() - Date.parse(window.start) >= 60_000) {
    state.window = { start: now.toISOString(), count: 1 };
    return "admitted";
  }
  if (window.count < handoffLimits.messagesPerMinute) {
    window.count += 1;
    return "admitted";
  }
  if (window.warned) return "drop";
  window.warned = true;
  return "warn";
}

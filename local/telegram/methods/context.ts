/**
 * What a Bot API method group works with: the shared state, the flood limiter and the update queue. Each
 * group (updates, messages, chat) is a module that returns its methods by name.
 */
import type { BotApiParams } from "../params";
import type { RateLimiter } from "../rate-limits";
import type { EmulatorState } from "../state";
import type { UpdateQueue } from "../update-queue";

/** Runs one method; throws a `BotApiError` for Telegram's error answers. */
export type MethodRunner = (params: BotApiParams, cancelled: AbortSignal) => unknown;

/** What the method groups share. */
export interface MethodContext {
  state: EmulatorState;
  limiter: RateLimiter;
  queue: UpdateQueue;
}

/** A method result that Telegram answers with a `description` next to it (setWebhook, deleteWebhook). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

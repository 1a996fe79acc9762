/**
 * Waiting on the emulator: for events after a sequence number (the web chat's long poll) and for any
 * condition a test names (`waitFor`), re-checked whenever the state changes.
 */
import { EmulatorWaitTimeoutError } from "./errors";
import type { EmulatorState } from "./state";
import type { EmulatorEvent } from "./types";

/** Events with a sequence number above `since`, oldest first (the newest 2000 are kept). */
export function eventsSince(state: EmulatorState, since: number, chatId?: number): EmulatorEvent[] {
  return state.eventLog.filter(
    (event) => event.seq > since && (chatId === undefined || event.chatId === chatId),
  );
}

/** Waits until there are events after `since` (or the timeout passes, the signal aborts or `stopped()`). */
export async function nextEvents(
  state: EmulatorState,
  since: number,
  options: { timeoutMs: number; chatId?: number; signal?: AbortSignal },
  stopped: () => boolean,
): Promise<EmulatorEvent[]> {
  const ready = eventsSince(state, since, options.chatId);
  if (ready.length > 0 || options.signal?.aborted || stopped()) return ready;
  await new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      state.eventWaiters.delete(check);
      options.signal?.removeEventListener("abort", finish);
      resolve();
    };
    const check = () => {
      if (eventsSince(state, since, options.chatId).length > 0 || stopped()) finish();
    };
    const timer = setTimeout(finish, options.timeoutMs);
    timer.unref();
    options.signal?.addEventListener("abort", finish);
    state.eventWaiters.add(check);
  });
  return eventsSince(state, since, options.chatId);
}

/**
 * Resolves with the predicate's first truthy value, re-checking after every change; rejects with
 * {@link EmulatorWaitTimeoutError} after `timeoutMs` (default 5 s).
 */
export function waitFor<T>(
  state: EmulatorState,
  predicate: () => T | undefined | null | false,
  options: { timeoutMs?: number; description?: string } = {},
): Promise<T> {
  const first = predicate();
  if (first) return Promise.resolve(first);
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<T>((resolve, reject) => {
    const check = () => {
      try {
        const value = predicate();
        if (value) {
          cleanup();
          resolve(value);
        }
      } catch (error) {
        cleanup();
        reject(error);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new EmulatorWaitTimeoutError(options.description ?? "the condition passed to waitFor()", timeoutMs),
      );
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      state.changeWatchers.delete(check);
    };
    state.changeWatchers.add(check);
  });
}

/**
 * Users who block the bot are forgotten after `forgetBlockedAfterDays` (BotConfig, default 180): a sweep run
 * by the hourly recommendations schedule reads the sparse `blocked` index, one Query per day partition
 * (`BLOCKED#<YYYY-MM-DD>`) of the days now due, never a table scan. It is idempotent (EventBridge may deliver
 * an event twice, and two runs may overlap): each user is re-read consistently before anything is deleted,
 * and erasing someone already erased deletes nothing.
 * A user who wrote to the bot after being marked blocked (their unblock update was lost) is unmarked instead
 * of forgotten: their chat was saved after `blockedAt` (by more than {@link wroteAgainMarginMs}).
 */
import type { Clock, Logger } from "../ports";
import type { ChatStateStore, UserProfile, UserStore } from "../storage/port";
import type { UserDataEraser } from "./eraser";

/** Days before the due one the sweep looks at too, so runs missed (an outage, a full run) are caught up. */
export const sweepCatchUpDays = 30;

/**
 * A chat saved this long after `blockedAt` proves the user wrote again. The update that marks a user blocked
 * (`my_chat_member`) saves its own chat state a moment after the profile: that save must not count.
 */
export const wroteAgainMarginMs = 10 * 60_000;

const dayMs = 24 * 3600 * 1000;

/** What one sweep did. */
export interface BlockedSweepSummary {
  /** The day partitions read, oldest first. */
  days: string[];
  /** Users forgotten. */
  forgotten: number;
  /** Users found to have written after being marked blocked, unmarked instead. */
  unblocked: number;
  /** The sweep stopped at its deadline; the next run continues. */
  stoppedEarly: boolean;
}

/** Dependencies of {@link forgetBlockedUsers}. */
export interface BlockedSweepDeps {
  users: UserStore;
  chats: Pick<ChatStateStore, "savedAt">;
  eraser: UserDataEraser;
  clock: Clock;
  forgetAfterDays: number;
  logger?: Logger;
  /** Epoch ms (of `clock`) after which no further user is started; the next hourly run goes on. */
  deadline?: number;
  pageSize?: number;
}

/** The UTC days from `from` to `to`, oldest first, as `YYYY-MM-DD`. */
function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let at = Date.parse(from.toISOString().slice(0, 10)); at <= to.getTime(); at += dayMs)
    days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** Forgets every user blocked for longer than `forgetAfterDays`; see the module comment. */
export async function forgetBlockedUsers(deps: BlockedSweepDeps): Promise<BlockedSweepSummary> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - deps.forgetAfterDays * dayMs);
  const days = daysBetween(new Date(cutoff.getTime() - sweepCatchUpDays * dayMs), cutoff);
  const summary: BlockedSweepSummary = { days, forgotten: 0, unblocked: 0, stoppedEarly: false };
  for (const day of days) {
    let cursor: string | undefined;
    do {
      const page = await deps.users.listBlockedOn(day, {
        limit: deps.pageSize ?? 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const listed of page.items) {
        if (deps.deadline !== undefined && deps.clock.now().getTime() > deps.deadline) {
          summary.stoppedEarly = true;
          return summary;
        }
        const outcome = await sweepUser(deps, listed, cutoff);
        if (outcome === "forgotten") summary.forgotten += 1;
        if (outcome === "unblocked") summary.unblocked += 1;
      }
      cursor = page.cursor;
    } while (cursor);
  }
  return summary;
}

/** One listed user: re-read (the index is eventually consistent), then forgotten, unmarked or left. */
async function sweepUser(
  deps: BlockedSweepDeps,
  listed: UserProfile,
  cutoff: Date,
): Promise<"forgotten" | "unblocked" | "left"> {
  const profile = await deps.users.get(listed.userId);
  if (!profile?.blocked || profile.blockedAt === undefined || profile.blockedAt > cutoff.toISOString())
    return "left";
  const savedAt = await deps.chats.savedAt(profile.chatId);
  if (savedAt !== undefined && Date.parse(savedAt) > Date.parse(profile.blockedAt) + wroteAgainMarginMs) {
    await deps.users.update(profile.userId, { blocked: false });
    deps.logger?.info("blocked user had written since; unmarked instead of forgotten", {
      userId: profile.userId,
    });
    return "unblocked";
  }
  await deps.eraser.forgetUser(profile.userId);
  deps.logger?.info("blocked user forgotten", { userId: profile.userId });
  return "forgotten";
}

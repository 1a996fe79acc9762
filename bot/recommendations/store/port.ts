/**
 * The tip store port (adapters beside it: dynamodb.ts, memory.ts): tip history and the once-per-day leased
 * claim (bot/leases/), in the user's item collection (next to the profile):
 * - `USER#<id>` / `TIP#<date>`: today's tip: claimed (`sending`, leased) before the send, then the outcome and
 *   the tip id. The conditional claim is what makes "one tip per user per day" hold when the schedule fires
 *   twice or a batch is re-delivered.
 * - `USER#<id>` / `TIP#<date>#<tipId>`: a tip sent with "more like this".
 * The history is one Query of `begins_with(sk, "TIP#")`: the received tips and when. Items expire after 180
 * days (TTL); an expired tip simply counts as never received, which is what "start over from the oldest" does.
 * - `TIPRUN#<date>#<hour>` / `RUN`: set once the schedule queued every due subscriber of that hour, so a
 *   duplicate schedule event queues nothing (an interrupted run sets nothing and is simply run again).
 */

import { tableDefinition } from "../../../contracts/table";
import type { LeasedClaims } from "../../leases/port";
import type { ReceivedTip } from "../picker";

/** Where a user's tip of a day stands. */
export type TipDayStatus = "sending" | "released" | "delivered" | "blocked" | "failed" | "skipped";

/** A user's tip of a day: the key of the `TIP#<date>` item. */
export interface TipDayKey {
  userId: number;
  /** `YYYY-MM-DD` in the schedule's time zone. */
  date: string;
}

/** A tip day's final status. */
export type TipOutcomeStatus = Exclude<TipDayStatus, "sending" | "released">;

/** An hour of a date the schedule serves. */
export interface TipSlot {
  date: string;
  hour: number;
}

/**
 * Tip claims and history. Each user's tip of a day is a leased claim ({@link LeasedClaims}: claim, finish with
 * the tip sent as field `tipId`, release, state).
 */
export interface TipStore extends LeasedClaims<TipDayKey, TipOutcomeStatus> {
  /** Remembers a tip sent with "more like this". */
  recordExtra(userId: number, tipId: string, at: Date): Promise<void>;
  /** Tips the user received (daily and extra), in any order. */
  history(userId: number): Promise<ReceivedTip[]>;
  /** Whether the schedule already queued every due subscriber of this date and hour. */
  isPlanned(slot: TipSlot): Promise<boolean>;
  /** Marks the date and hour as fully queued. */
  markPlanned(slot: TipSlot): Promise<void>;
  /** Deletes the user's tip history (day claims and extras), for /forget; idempotent. */
  forgetUser(userId: number): Promise<void>;
}

/** How long tip items are kept. */
export const tipItemTtlSeconds = 180 * 24 * 3600;

const pk = tableDefinition.partitionKey;
const sk = tableDefinition.sortKey;

/** Key builders of the tip items. */
export const tipKeys = {
  day: (userId: number, date: string) => ({ [pk]: `USER#${userId}`, [sk]: `TIP#${date}` }),
  extra: (userId: number, date: string, tipId: string) => ({
    [pk]: `USER#${userId}`,
    [sk]: `TIP#${date}#${tipId}`,
  }),
  run: (date: string, hour: number) => ({
    [pk]: `TIPRUN#${date}#${String(hour).padStart(2, "0")}`,
    [sk]: "RUN",
  }),
};

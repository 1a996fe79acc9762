/**
 * Leased claims: how a worker makes sure one item (a broadcast recipient, a user's tip of a day) is sent to
 * at most once however often its job is delivered, and by nobody else while it sends. The protocol, in one
 * place for every kind of item:
 * - `claim`: a conditional write that succeeds for one writer only, when the item does not exist, was
 *   released, or is `sending` under a lease that ended (its holder is surely gone);
 * - then the send, outside the store;
 * - `finish`: the final outcome, written only while the writer still holds the claim;
 * - or `release`: the claim given back (the send could not be tried in time), for another delivery.
 * `settle` gives an unheld item a final status without a send (a cancelled broadcast's untouched recipients).
 * A write refused by its own first attempt, whose answer was lost and retried, still counts as done by the
 * writer (bot/storage/dynamodb-errors.ts `showsOwnWrite`).
 */

/** A claim's holder and how long it holds: `leaseUntil` and `nowMs` are epoch milliseconds. */
export interface Lease {
  /** Who claims (a worker invocation id plus a random suffix). */
  owner: string;
  /** After this the claim may be taken over. */
  leaseUntil: number;
  /** Now, by the caller's clock (a lease ended before it is free). */
  nowMs: number;
}

/** Statuses of a claimed item before its outcome: `sending` (held) and `released` (free again). */
export type OpenStatus = "sending" | "released";

/** A final outcome: its status and what else is recorded with it (a Telegram error, the tip sent). */
export interface Outcome<Status extends string = string> {
  status: Status;
  /** Extra attributes stored with the outcome (strings only; `undefined` ones are left out). */
  fields?: Record<string, string | undefined>;
}

/** Where one claimed item stands. */
export interface ClaimState<Status extends string = string> {
  status: Status | OpenStatus;
  owner?: string;
  leaseUntil?: number;
  fields: Record<string, string>;
}

/** The protocol above, on items named by `Key`. */
export interface LeasedClaims<Key, Status extends string> {
  /** Claims the item; false when someone else holds it or it is final (true again for its holder). */
  claim(key: Key, lease: Lease): Promise<boolean>;
  /**
   * Records the outcome if `owner` still holds the claim; false otherwise (it was taken over). Recording the
   * same outcome again is true: the item shows it.
   */
  finish(key: Key, owner: string, outcome: Outcome<Status>): Promise<boolean>;
  /** Gives the claim back if `owner` holds it. */
  release(key: Key, owner: string): Promise<void>;
  /** Gives an unheld (missing, released or lease-ended) item a final status; false if held or final. */
  settle(key: Key, status: Status, nowMs: number): Promise<boolean>;
  /** The item's state, read consistently. */
  state(key: Key): Promise<ClaimState<Status> | undefined>;
}

/** True when an item in `state` may be claimed (or settled) at `nowMs`: the condition every adapter applies. */
export function isClaimable(
  state: Pick<ClaimState, "status" | "leaseUntil"> | undefined,
  nowMs: number,
): boolean {
  return (
    state === undefined ||
    state.status === "released" ||
    (state.status === "sending" && (state.leaseUntil ?? Number.POSITIVE_INFINITY) < nowMs)
  );
}

/** The fields with a value. */
export function definedFields(fields: Record<string, string | undefined> = {}): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) defined[name] = value;
  return defined;
}

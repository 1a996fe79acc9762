/**
 * {@link LeasedClaims} in memory, with the same conditions as the DynamoDB adapter ({@link isClaimable}),
 * including its answer to a repeated write: a claim or outcome the item already shows for the same owner
 * counts as done (the DynamoDB adapter cannot tell it from its own retried write). Values are copied in and
 * out, as a database would.
 */
import type { Clock } from "../ports";
import { systemClock } from "../storage/shared";
import {
  type ClaimState,
  definedFields,
  isClaimable,
  type Lease,
  type LeasedClaims,
  type Outcome,
} from "./port";

/** A stored item: its state and when its outcome was recorded. */
export interface MemoryClaim<Status extends string> extends ClaimState<Status> {
  /** ISO time of the outcome. */
  at?: string;
}

/** Options of {@link MemoryLeasedClaims}. */
export interface MemoryLeasedClaimsOptions<Key> {
  /** The string a key is stored under. */
  id(key: Key): string;
  clock?: Clock;
}

/**
 * Leased claims in a Map; a store whose items are claimed extends it, and {@link MemoryLeasedClaims.claimEntries}
 * lets it read them back.
 */
export class MemoryLeasedClaims<Key, Status extends string> implements LeasedClaims<Key, Status> {
  readonly #items = new Map<string, MemoryClaim<Status>>();
  readonly #options: MemoryLeasedClaimsOptions<Key>;
  readonly #clock: Clock;

  constructor(options: MemoryLeasedClaimsOptions<Key>) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** @inheritdoc */
  async claim(key: Key, lease: Lease): Promise<boolean> {
    const id = this.#options.id(key);
    const stored = this.#items.get(id);
    if (!isClaimable(stored, lease.nowMs))
      return stored?.status === "sending" && stored.owner === lease.owner;
    this.#items.set(id, { status: "sending", owner: lease.owner, leaseUntil: lease.leaseUntil, fields: {} });
    return true;
  }

  /** @inheritdoc */
  async finish(key: Key, owner: string, outcome: Outcome<Status>): Promise<boolean> {
    const id = this.#options.id(key);
    const stored = this.#items.get(id);
    if (stored?.status !== "sending" || stored.owner !== owner)
      return stored?.status === outcome.status && stored.owner === owner;
    this.#items.set(id, {
      status: outcome.status,
      owner,
      fields: definedFields(outcome.fields),
      at: this.#clock.now().toISOString(),
    });
    return true;
  }

  /** @inheritdoc */
  async release(key: Key, owner: string): Promise<void> {
    const id = this.#options.id(key);
    const stored = this.#items.get(id);
    if (stored?.status === "sending" && stored.owner === owner)
      this.#items.set(id, { status: "released", owner, fields: {} });
  }

  /** @inheritdoc */
  async settle(key: Key, status: Status, nowMs: number): Promise<boolean> {
    const id = this.#options.id(key);
    if (!isClaimable(this.#items.get(id), nowMs)) return false;
    this.#items.set(id, { status, fields: {} });
    return true;
  }

  /** @inheritdoc */
  async state(key: Key): Promise<ClaimState<Status> | undefined> {
    const stored = this.#items.get(this.#options.id(key));
    return stored && withoutAt(stored);
  }

  /** Deletes every item whose id matches (a store's `forgetUser`). */
  protected deleteClaims(matches: (id: string) => boolean): void {
    for (const id of [...this.#items.keys()]) if (matches(id)) this.#items.delete(id);
  }

  /** Every stored item with its id, copied (for queries the owning store answers, like a tip history). */
  claimEntries(): [string, MemoryClaim<Status>][] {
    return [...this.#items].map(([id, item]) => [id, structuredClone(item)]);
  }
}

function withoutAt<Status extends string>({ at: _at, ...state }: MemoryClaim<Status>): ClaimState<Status> {
  return structuredClone(state);
}

/**
 * {@link TipStore} in memory, with the same claim conditions as the DynamoDB adapter (bot/leases/).
 */
import { MemoryLeasedClaims } from "../../leases/memory";
import type { ClaimState, Lease, Outcome } from "../../leases/port";
import type { Clock } from "../../ports";
import type { ReceivedTip } from "../picker";
import type { TipDayKey, TipOutcomeStatus, TipSlot, TipStore } from "./port";

/** {@link TipStore} in memory, with the same claim conditions. */
export class MemoryTipStore implements TipStore {
  private readonly claims: MemoryLeasedClaims<TipDayKey, TipOutcomeStatus>;
  private readonly extras: { userId: number; tipId: string; at: string }[] = [];
  private readonly planned = new Set<string>();

  constructor(options: { clock?: Clock } = {}) {
    this.claims = new MemoryLeasedClaims({
      id: (day) => `${day.userId}#${day.date}`,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** @inheritdoc */
  claim(day: TipDayKey, lease: Lease): Promise<boolean> {
    return this.claims.claim(day, lease);
  }

  /** @inheritdoc */
  finish(day: TipDayKey, owner: string, outcome: Outcome<TipOutcomeStatus>): Promise<boolean> {
    return this.claims.finish(day, owner, outcome);
  }

  /** @inheritdoc */
  release(day: TipDayKey, owner: string): Promise<void> {
    return this.claims.release(day, owner);
  }

  /** @inheritdoc */
  settle(day: TipDayKey, status: TipOutcomeStatus, nowMs: number): Promise<boolean> {
    return this.claims.settle(day, status, nowMs);
  }

  /** @inheritdoc */
  state(day: TipDayKey): Promise<ClaimState<TipOutcomeStatus> | undefined> {
    return this.claims.state(day);
  }

  /** @inheritdoc */
  async recordExtra(userId: number, tipId: string, at: Date): Promise<void> {
    this.extras.push({ userId, tipId, at: at.toISOString() });
  }

  /** @inheritdoc */
  async history(userId: number): Promise<ReceivedTip[]> {
    const daily = this.claims
      .entries()
      .filter(
        ([key, day]) =>
          key.startsWith(`${userId}#`) && day.status === "delivered" && day.fields.tipId && day.at,
      )
      .map(([, day]) => ({ tipId: day.fields.tipId as string, at: day.at as string }));
    const extra = this.extras.filter((e) => e.userId === userId).map(({ tipId, at }) => ({ tipId, at }));
    return [...daily, ...extra];
  }

  /** @inheritdoc */
  async isPlanned({ date, hour }: TipSlot): Promise<boolean> {
    return this.planned.has(`${date}#${hour}`);
  }

  /** @inheritdoc */
  async markPlanned({ date, hour }: TipSlot): Promise<void> {
    this.planned.add(`${date}#${hour}`);
  }
}

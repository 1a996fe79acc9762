/**
 * {@link TipStore} in memory, with the same claim conditions as the DynamoDB adapter (bot/leases/).
 */
import { MemoryLeasedClaims } from "../../leases/memory";
import type { Clock } from "../../ports";
import type { ReceivedTip } from "../picker";
import type { TipDayKey, TipOutcomeStatus, TipSlot, TipStore } from "./port";

/** {@link TipStore} in memory, with the same claim conditions; the days are leased claims (bot/leases/). */
export class MemoryTipStore extends MemoryLeasedClaims<TipDayKey, TipOutcomeStatus> implements TipStore {
  private readonly extras: { userId: number; tipId: string; at: string }[] = [];
  private readonly planned = new Set<string>();

  constructor(options: { clock?: Clock } = {}) {
    super({
      id: (day) => `${day.userId}#${day.date}`,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  /** @inheritdoc */
  async recordExtra(userId: number, tipId: string, at: Date): Promise<void> {
    this.extras.push({ userId, tipId, at: at.toISOString() });
  }

  /** @inheritdoc */
  async history(userId: number): Promise<ReceivedTip[]> {
    const daily = this.claimEntries()
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

  /** @inheritdoc */
  async forgetUser(userId: number): Promise<void> {
    this.deleteClaims((id) => id.startsWith(`${userId}#`));
    for (let i = this.extras.length - 1; i >= 0; i--)
      if (this.extras[i]?.userId === userId) this.extras.splice(i, 1);
  }
}

/**
 * {@link InboxStore} in memory, with the DynamoDB adapter's semantics (tests, the terminal chat, the in-memory
 * benchmark): one entry per language and normalised text, per-user counters, the same review order and pages.
 */
import type { Clock } from "../../ports";
import { storedCopy, systemClock } from "../../storage/shared";
import {
  type InboxContribution,
  type InboxEntry,
  type InboxLabel,
  type InboxPage,
  type InboxQuery,
  type InboxStore,
  inboxEntryId,
  inboxExpiry,
  inboxPage,
  keptCandidates,
  normalizeInboxText,
} from "./port";

/** Options of {@link MemoryInboxStore}. */
export interface MemoryInboxStoreOptions {
  /** Days an entry is kept after it was last seen or labelled (`BotConfig.inboxRetentionDays`). */
  retentionDays: number;
  clock?: Clock;
}

/** {@link InboxStore} in memory; see the module comment. */
export class MemoryInboxStore implements InboxStore {
  private readonly entries = new Map<string, { entry: InboxEntry; users: Map<number, number> }>();
  private readonly clock: Clock;
  private readonly retentionDays: number;

  constructor(options: MemoryInboxStoreOptions) {
    this.clock = options.clock ?? systemClock;
    this.retentionDays = options.retentionDays;
  }

  /** @inheritdoc */
  async record(contribution: InboxContribution): Promise<string> {
    const id = inboxEntryId(contribution.language, contribution.text);
    const at = contribution.at.toISOString();
    const stored = this.entries.get(id);
    const entry: InboxEntry = stored?.entry ?? {
      id,
      text: contribution.text,
      normalized: normalizeInboxText(contribution.text),
      language: contribution.language,
      tier: contribution.tier,
      candidates: [],
      firstSeen: at,
      lastSeen: at,
      count: 0,
      origins: [],
      status: "new",
      expiresAt: 0,
    };
    entry.tier = contribution.tier;
    entry.candidates = keptCandidates(contribution.candidates);
    entry.lastSeen = at;
    entry.count += 1;
    if (!entry.origins.includes(contribution.origin))
      entry.origins = [...entry.origins, contribution.origin].sort();
    if (contribution.answeredIntent !== undefined) entry.answeredIntent = contribution.answeredIntent;
    entry.expiresAt = inboxExpiry(contribution.at, this.retentionDays);
    const users = stored?.users ?? new Map<number, number>();
    users.set(contribution.userId, (users.get(contribution.userId) ?? 0) + 1);
    this.entries.set(id, { entry, users });
    return id;
  }

  /** @inheritdoc */
  async get(id: string): Promise<InboxEntry | undefined> {
    const stored = this.entries.get(id);
    return stored && stored.entry.expiresAt > this.nowSeconds() ? storedCopy(stored.entry) : undefined;
  }

  /** @inheritdoc */
  async list(query: InboxQuery = {}): Promise<InboxPage> {
    const all = [...this.entries.values()].map(({ entry }) => storedCopy(entry));
    return inboxPage(all, query, this.nowSeconds());
  }

  /** @inheritdoc */
  async label(id: string, label: InboxLabel, at: Date): Promise<InboxEntry | undefined> {
    const stored = this.entries.get(id);
    if (!stored || stored.entry.expiresAt <= this.nowSeconds()) return undefined;
    const { entry } = stored;
    entry.status = label.status;
    if (label.status === "labelled") entry.label = label.intent;
    else delete entry.label;
    entry.labelledAt = at.toISOString();
    entry.expiresAt = inboxExpiry(at, this.retentionDays);
    return storedCopy(entry);
  }

  /** @inheritdoc */
  async forgetUser(userId: number): Promise<void> {
    for (const [id, { entry, users }] of this.entries) {
      const sent = users.get(userId);
      if (sent === undefined) continue;
      users.delete(userId);
      entry.count -= sent;
      entry.text = entry.normalized;
      if (entry.count <= 0) this.entries.delete(id);
    }
  }

  /** The user ids an entry keeps counters for (tests: nothing of a forgotten user may remain). */
  contributorsOf(id: string): number[] {
    return [...(this.entries.get(id)?.users.keys() ?? [])];
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

/**
 * The inbox store port (adapters beside it: dynamodb.ts, memory.ts): what the bot could not answer, kept for the
 * operator to label. One entry per language and normalised text ({@link inboxEntryId}), counted atomically, so a
 * question a hundred users ask is one line with a count of 100, not a hundred lines. Items (docs/data-model.md,
 * "Inbox"):
 * - `INBOX` / `E#<entryId>`: the entry (text as first seen, language, tier, top-3 intents, first/last time, count,
 *   origins, status and label) and one counter attribute per contributor (`u<userId>`: how many times that user
 *   sent it), so `forgetUser` can take exactly that user's share back out. `expiresAt` (the table's TTL) is pushed
 *   to "last seen + retention" by every contribution and by a label.
 */
import { createHash } from "node:crypto";
import { normalize } from "../../../nlp/normalize";
import type { IntentScore } from "../../../nlp/types";
import type { Mode } from "../../ports";
import { InvalidStorageArgumentError } from "../../storage/errors";
import { decodeCursor, encodeCursor } from "../../storage/shared";

/** Why an entry is in the inbox: declined, "None of these" after "did you mean", or a 👎 on an answer. */
export type InboxOrigin = "declined" | "noneOfThese" | "thumbsDown";

/** Every origin, for validation. */
export const inboxOrigins: readonly InboxOrigin[] = ["declined", "noneOfThese", "thumbsDown"];

/** Review status: `labelled` carries the intent id in `label`; the others need none. */
export type InboxStatus = "new" | "labelled" | "outOfScope" | "dismissed";

/** Every status, for validation. */
export const inboxStatuses: readonly InboxStatus[] = ["new", "labelled", "outOfScope", "dismissed"];

/** A reviewer's decision: an intent the text should have been answered with, out of scope, or not worth keeping. */
export type InboxLabel =
  | { status: "labelled"; intent: string }
  | { status: "outOfScope" }
  | { status: "dismissed" };

/** One message the bot could not answer well, as the bot saw it. */
export interface InboxContribution {
  /** The message as the user wrote it (cut to Telegram's 4,096 characters already). */
  text: string;
  language: string;
  tier: Mode;
  /** The classifier's best candidates (at most 3 are kept), best first. */
  candidates: readonly IntentScore[];
  origin: InboxOrigin;
  /** For a 👎: the intent whose answer was refused. */
  answeredIntent?: string;
  /** Who sent it (kept only as a per-user counter, so /forget can remove it). */
  userId: number;
  at: Date;
}

/** An entry as listed for review. */
export interface InboxEntry {
  /** {@link inboxEntryId} of language and normalised text: stable, short enough for callback data. */
  id: string;
  /** The text as first seen (after a contributor is forgotten while others remain: the normalised text). */
  text: string;
  /** The normalised text ({@link normalizeInboxText}) the entry is keyed on. */
  normalized: string;
  language: string;
  /** Tier of the latest contribution. */
  tier: Mode;
  /** Top-3 intents with scores of the latest contribution, best first. */
  candidates: IntentScore[];
  firstSeen: string;
  lastSeen: string;
  /** How many times it was sent (all contributors). */
  count: number;
  /** Every origin it came from, sorted. */
  origins: InboxOrigin[];
  /** Intent of the latest 👎 answer, if any. */
  answeredIntent?: string;
  status: InboxStatus;
  /** The intent id when `status` is `labelled`. */
  label?: string;
  labelledAt?: string;
  /** Epoch seconds after which the entry is gone (DynamoDB TTL; listings skip it before TTL runs). */
  expiresAt: number;
}

/** A page of entries, most frequent first; pass `cursor` back for the next page (absent after the last). */
export interface InboxPage {
  entries: InboxEntry[];
  cursor?: string;
}

/** What to list. */
export interface InboxQuery {
  /** Only entries with this status (default: `new`). */
  status?: InboxStatus;
  /** Page size (default 20, at most 100). */
  limit?: number;
  cursor?: string;
}

/** The inbox; every write is one request, idempotent or atomic. */
export interface InboxStore {
  /** Adds one occurrence (ADD count, per-user counter, origins): 1 UpdateItem. Returns the entry id. */
  record(contribution: InboxContribution): Promise<string>;
  /** One entry, or undefined (unknown or expired). */
  get(id: string): Promise<InboxEntry | undefined>;
  /** Entries of one status, most frequent first (then most recent, then id), expired ones left out. */
  list(query?: InboxQuery): Promise<InboxPage>;
  /** Stores a reviewer's label; the updated entry, or undefined when there is no such entry. */
  label(id: string, label: InboxLabel, at: Date): Promise<InboxEntry | undefined>;
  /**
   * Removes everything this user contributed: their count comes off every entry they sent, and an entry nobody
   * else sent is deleted. One Query of the inbox partition (no table scan) and one write per entry found.
   */
  forgetUser(userId: number): Promise<void>;
}

/** Page size of {@link InboxStore.list} when none is given. */
export const inboxPageDefault = 20;
/** The largest page {@link InboxStore.list} serves: one Telegram review or admin API page stays small. */
export const inboxPageMax = 100;

/** How many intents an entry keeps. */
export const inboxCandidates = 3;

/**
 * The normalised text an entry is keyed on: NFKC (full-width "Ｌａｍｂｄａ" from a CJK keyboard and ligatures fold
 * into their plain letters, and composed and decomposed Vietnamese letters become one form), lower case, trimmed,
 * runs of spaces collapsed, and the closing punctuation of a sentence dropped ("…in Tokyo?" and "…in Tokyo" are
 * one question). Diacritics and inner punctuation are kept: in Vietnamese they change the word. The operator
 * exports the text as first seen, not this key, so the training example stays what users type.
 */
export function normalizeInboxText(text: string): string {
  return normalize(text)
    .replace(/[\s?!.。？！…,，;；:：~～]+$/u, "")
    .trim();
}

/** The entry id of a text in a language: 12 base64url characters of SHA-256 (72 bits; callback data fits). */
export function inboxEntryId(language: string, text: string): string {
  return createHash("sha256")
    .update(`${language}\u0000${normalizeInboxText(text)}`, "utf8")
    .digest("base64url")
    .slice(0, 12);
}

/** True for a string shaped like an entry id (so a crafted id never reaches the table). */
export function isInboxEntryId(value: string): boolean {
  return /^[A-Za-z0-9_-]{12}$/.test(value);
}

/** Epoch seconds at which an entry touched at `at` expires. */
export function inboxExpiry(at: Date, retentionDays: number): number {
  return Math.floor(at.getTime() / 1000) + Math.round(retentionDays * 24 * 3600);
}

/** Most frequent first, then most recently seen, then id: the one review order both adapters use. */
export function compareInboxEntries(
  a: Pick<InboxEntry, "count" | "lastSeen" | "id">,
  b: Pick<InboxEntry, "count" | "lastSeen" | "id">,
): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.lastSeen !== b.lastSeen) return a.lastSeen < b.lastSeen ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The top candidates an entry keeps, rounded to 3 decimals (they are shown, not computed with). */
export function keptCandidates(candidates: readonly IntentScore[]): IntentScore[] {
  return candidates.slice(0, inboxCandidates).map(({ intent, confidence }) => ({
    intent,
    confidence: Math.round(confidence * 1000) / 1000,
  }));
}

/** Where a listing page ends: the last entry's place in the review order, and the status it lists. */
interface InboxPosition {
  status: InboxStatus;
  count: number;
  lastSeen: string;
  id: string;
}

/**
 * Cuts one page out of all the live entries of a status (both adapters read the status whole and sort it here:
 * see docs/data-model.md, "Inbox", for why no index orders them). `now` leaves expired entries out.
 */
export function inboxPage(all: InboxEntry[], query: InboxQuery, nowSeconds: number): InboxPage {
  const status = query.status ?? "new";
  checkInboxStatus(status);
  const limit = inboxPageLimit(query.limit);
  let after: InboxPosition | undefined;
  if (query.cursor !== undefined) {
    const position = decodeCursor(query.cursor) as Partial<InboxPosition>;
    if (
      position.status !== status ||
      typeof position.count !== "number" ||
      typeof position.lastSeen !== "string" ||
      typeof position.id !== "string"
    )
      throw new InvalidStorageArgumentError(
        `The inbox cursor is not one of a "${status}" listing; pass back the cursor of the previous page with the same status.`,
      );
    after = position as InboxPosition;
  }
  const live = all
    .filter((entry) => entry.status === status && entry.expiresAt > nowSeconds)
    .sort(compareInboxEntries);
  const start = after ? live.findIndex((entry) => compareInboxEntries(entry, after) > 0) : 0;
  const entries = start < 0 ? [] : live.slice(start, start + limit);
  const last = entries[entries.length - 1];
  const more = start >= 0 && start + limit < live.length;
  return {
    entries,
    ...(more && last
      ? {
          cursor: encodeCursor({
            status,
            count: last.count,
            lastSeen: last.lastSeen,
            id: last.id,
          } satisfies InboxPosition),
        }
      : {}),
  };
}

/** A page size: default {@link inboxPageDefault}, a positive integer up to {@link inboxPageMax}. */
export function inboxPageLimit(limit: number | undefined): number {
  if (limit === undefined) return inboxPageDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > inboxPageMax)
    throw new InvalidStorageArgumentError(
      `Inbox page limit ${limit} is invalid; pass an integer from 1 to ${inboxPageMax} or omit it.`,
    );
  return limit;
}

/** Rejects a status no entry can have. */
export function checkInboxStatus(status: string): asserts status is InboxStatus {
  if (!(inboxStatuses as readonly string[]).includes(status))
    throw new InvalidStorageArgumentError(
      `Inbox status "${status}" does not exist; use one of ${inboxStatuses.join(", ")}.`,
    );
}

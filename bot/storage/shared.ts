/**
 * Rules both storage implementations share, so the in-memory twin and DynamoDB cannot disagree about which
 * user is due, which shard a user is in, how a page is cut or what a stored value looks like.
 */
import { audienceShards } from "../../contracts/table";
import type { Clock } from "../ports";
import { InvalidStorageArgumentError } from "./errors";
import type { UserProfile, UserProfileChanges } from "./port";

/** The real clock, used unless a test injects a fake one. */
export const systemClock: Clock = { now: () => new Date() };

/** Page size used when a caller passes no `limit`: small enough for one Lambda batch of sends. */
export const defaultPageSize = 100;

/** Audience shard of a user (`userId % audienceShards`, never negative), see contracts/table.ts. */
export function audienceShardOf(userId: number): number {
  return ((userId % audienceShards) + audienceShards) % audienceShards;
}

/** Whether a profile belongs in the sparse `tipsDue` index: subscribed, not blocked, with a tip hour. */
export function isDueForTips(profile: Pick<UserProfile, "subscribed" | "blocked" | "tipHour">): boolean {
  return profile.subscribed && !profile.blocked && profile.tipHour !== undefined;
}

/** Two-digit zero padding used in index partition keys (`AUD#03`, `TIP#07`). */
export function pad2(value: number): string {
  return String(value).padStart(2, "0");
}

/** Rejects a tip hour DynamoDB would index under a key no query asks for. */
export function checkTipHour(hour: number): void {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new InvalidStorageArgumentError(
      `Tip hour ${hour} is not an hour of day; pass an integer from 0 to 23.`,
    );
  }
}

/** Rejects a shard number outside `0..audienceShards-1`. */
export function checkShard(shard: number): void {
  if (!Number.isInteger(shard) || shard < 0 || shard >= audienceShards) {
    throw new InvalidStorageArgumentError(
      `Audience shard ${shard} does not exist; pass an integer from 0 to ${audienceShards - 1} (contracts/table.ts).`,
    );
  }
}

/** Validates a page size: a positive integer, or undefined for {@link defaultPageSize}. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidStorageArgumentError(
      `Page limit ${limit} is invalid; pass a positive integer or omit it.`,
    );
  }
  return limit;
}

/** Rejects ids that would break the `ANSWERS#<questionnaireId>#...` sort-key prefix. */
export function checkQuestionnaireId(questionnaireId: string): void {
  if (questionnaireId === "" || questionnaireId.includes("#")) {
    throw new InvalidStorageArgumentError(
      `Questionnaire id "${questionnaireId}" cannot be stored; use a non-empty id without '#' (see content/schema.ts).`,
    );
  }
}

/** Opaque page cursor: base64url of the JSON of a position (DynamoDB's LastEvaluatedKey, or the twin's key). */
export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** Reads a cursor made by {@link encodeCursor}; anything else is an {@link InvalidStorageArgumentError}. */
export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through to the named error
  }
  throw new InvalidStorageArgumentError(
    "The page cursor is not one this store returned; pass back the `cursor` of the previous page unchanged.",
  );
}

/**
 * Deep copy with DynamoDB's view of a value: object properties that are `undefined` disappear (the document
 * client is built with `removeUndefinedValues`), so the twin stores exactly what DynamoDB would.
 */
export function storedCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(storedCopy) as T;
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) copy[key] = storedCopy(item);
    return copy as T;
  }
  return value;
}

/** Profile fields every stored profile has: an `undefined` change to one of them means "leave it". */
const requiredProfileFields = new Set(["chatId", "language", "updatedAt", "subscribed", "blocked"]);

/** Optional profile fields: an `undefined` change removes them. */
export function isRemovableProfileField(key: string): boolean {
  return !requiredProfileFields.has(key);
}

/**
 * The profile after `changes`: `undefined` removes an optional field (and leaves a required one alone),
 * `userId` and `createdAt` never change, and `updatedAt` defaults to now. Shared so both stores merge alike.
 */
export function applyProfileChanges(
  profile: UserProfile,
  changes: UserProfileChanges,
  clock: Clock,
): UserProfile {
  const merged: Record<string, unknown> = { ...profile, updatedAt: clock.now().toISOString() };
  for (const [key, value] of Object.entries(changes)) {
    if (key === "userId" || key === "createdAt") continue;
    if (value !== undefined) merged[key] = value;
    else if (isRemovableProfileField(key)) delete merged[key];
  }
  const result = withBlockedSince(merged as unknown as UserProfile);
  if (result.tipHour !== undefined) checkTipHour(result.tipHour);
  return result;
}

/**
 * `blockedAt` follows `blocked`: set (to the profile's `updatedAt`) when the user becomes blocked, kept while
 * they stay blocked, removed when they are unblocked. Both stores apply it on every write, so no caller can
 * forget it (the sweep of bot/privacy/ relies on it).
 */
export function withBlockedSince<T extends UserProfile>(profile: T): T {
  if (!profile.blocked) {
    const { blockedAt: _dropped, ...unblocked } = profile;
    return unblocked as T;
  }
  return profile.blockedAt === undefined ? { ...profile, blockedAt: profile.updatedAt } : profile;
}

/** The UTC day (`YYYY-MM-DD`) a blocked profile is indexed under in the `blocked` index. */
export function blockedDay(blockedAt: string): string {
  return blockedAt.slice(0, 10);
}

/** Rejects a day that is not `YYYY-MM-DD`. */
export function checkDay(day: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new InvalidStorageArgumentError(`Day "${day}" is not a date; pass it as YYYY-MM-DD (UTC).`);
  }
}

/** Orders submissions oldest first: by `startedAt`, then `runId` (what the DynamoDB sort key gives per questionnaire). */
export function compareSubmissions(
  a: { startedAt: string; runId: string },
  b: { startedAt: string; runId: string },
) {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
}

/**
 * Sort key of a submission in the `responses` index (`<submittedAt>#<userId>#<runId>`): oldest first, and the
 * order the in-memory twin pages by, so both stores list responses alike.
 */
export function responseSortKey(submission: { submittedAt: string; userId: number; runId: string }): string {
  return `${submission.submittedAt}#${submission.userId}#${submission.runId}`;
}

/**
 * What the DynamoDB storage adapters share (dynamodb.ts: chats and users; dynamodb-records.ts: answers and
 * processed updates): their options, the key builders, and the error wrapping.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../ports";
import { guarded as guardedOperation } from "./dynamodb-errors";
import { InvalidStorageArgumentError, UserNotFoundError } from "./errors";
import { ChatStateConflictError, type QuestionnaireSubmission, StorageError } from "./port";
import { pad2 } from "./shared";

/** What every DynamoDB store needs: the injected client, the table, and the clock for time stamps and expiry. */
export interface DynamoStorageOptions {
  /** The document client (it drops `undefined` fields, as the in-memory twin does). */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Defaults to the system clock; tests inject a fake one to expire claims. */
  clock?: Clock;
}

/** Key builders of every item type, exported so docs, tools and tests spell keys one way. */
export const keys = {
  chatState: (chatId: number) => ({ pk: `CHAT#${chatId}`, sk: "STATE" }),
  userProfile: (userId: number) => ({ pk: `USER#${userId}`, sk: "PROFILE" }),
  answers: (
    submission: Pick<QuestionnaireSubmission, "userId" | "questionnaireId" | "startedAt" | "runId">,
  ) => ({
    pk: `USER#${submission.userId}`,
    sk: `ANSWERS#${submission.questionnaireId}#${submission.startedAt}#${submission.runId}`,
  }),
  claim: (key: string) => ({ pk: `CLAIM#${key}`, sk: "CLAIM" }),
  audiencePk: (shard: number) => `AUD#${pad2(shard)}`,
  tipsPk: (hour: number) => `TIP#${pad2(hour)}`,
  blockedPk: (day: string) => `BLOCKED#${day}`,
  userSk: (userId: number) => `USER#${userId}`,
};

/** Errors this module means to throw; everything else is a backend failure and becomes a StorageError. */
function isDomainError(error: unknown): boolean {
  return (
    error instanceof StorageError ||
    error instanceof ChatStateConflictError ||
    error instanceof UserNotFoundError ||
    error instanceof InvalidStorageArgumentError
  );
}

/** Runs one port operation, wrapping any vendor failure in a StorageError naming the operation. */
export function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  return guardedOperation(operation, run, isDomainError);
}

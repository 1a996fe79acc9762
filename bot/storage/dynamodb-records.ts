/**
 * DynamoDB adapters of the write-once records of the storage ports: questionnaire answers and processed-update
 * claims (the chat state and profiles are in dynamodb.ts). Same single table, same error wrapping.
 */
import { randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { tableDefinition } from "../../contracts/table";
import type { Clock } from "../ports";
import { deleteKeys, queryAll } from "./dynamodb-client";
import { conditional, isConditionalCheckFailed, showsOwnWrite } from "./dynamodb-errors";
import { queryResponses, responsesIndexAttributes, toSubmission } from "./dynamodb-responses";
import { type DynamoStorageOptions, guarded, keys } from "./dynamodb-shared";
import type { AnswerStore, ProcessedUpdateStore, QuestionnaireSubmission } from "./port";
import { checkQuestionnaireId, compareSubmissions, systemClock } from "./shared";

const pk = tableDefinition.partitionKey;
const ttlAttribute = tableDefinition.ttlAttribute;

/** {@link AnswerStore} on items `USER#<userId>` / `ANSWERS#<questionnaireId>#<startedAt>#<runId>`, written once. */
export class DynamoAnswerStore implements AnswerStore {
  constructor(private readonly options: DynamoStorageOptions) {}

  /** @inheritdoc */
  save(submission: QuestionnaireSubmission): Promise<void> {
    return guarded("answers.save", async () => {
      checkQuestionnaireId(submission.questionnaireId);
      try {
        await this.options.client.send(
          new PutCommand({
            TableName: this.options.tableName,
            Item: { ...submission, ...keys.answers(submission), ...responsesIndexAttributes(submission) },
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": pk },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error; // already saved by an earlier try of the same update
      }
    });
  }

  /** @inheritdoc */
  list(userId: number, questionnaireId?: string): Promise<QuestionnaireSubmission[]> {
    return guarded("answers.list", async () => {
      if (questionnaireId !== undefined) checkQuestionnaireId(questionnaireId);
      const prefix = questionnaireId === undefined ? "ANSWERS#" : `ANSWERS#${questionnaireId}#`;
      const submissions: QuestionnaireSubmission[] = [];
      const found = await queryAll(this.options.client, {
        TableName: this.options.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": tableDefinition.sortKey },
        ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": prefix },
        ConsistentRead: true,
      });
      for (const item of found) submissions.push(toSubmission(item));
      return submissions.sort(compareSubmissions);
    });
  }

  /** @inheritdoc */
  listResponses(questionnaireId: string, page?: { cursor?: string; limit?: number }) {
    return guarded("answers.listResponses", () => queryResponses(this.options, questionnaireId, page));
  }

  /** @inheritdoc One Query of the user's `ANSWERS#` keys, then BatchWriteItem deletes. */
  forgetUser(userId: number): Promise<void> {
    return guarded("answers.forgetUser", async () => {
      const found = await queryAll(this.options.client, {
        TableName: this.options.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": tableDefinition.sortKey },
        ExpressionAttributeValues: { ":pk": `USER#${userId}`, ":prefix": "ANSWERS#" },
        ProjectionExpression: "#pk, #sk",
        ConsistentRead: true,
      });
      await deleteKeys(this.options.client, this.options.tableName, found);
    });
  }
}

/**
 * {@link ProcessedUpdateStore} on items `CLAIM#<key>` / `CLAIM` with TTL attribute `expiresAt`. DynamoDB's TTL
 * deletes expired items lazily (up to days later), so the claim condition checks the expiry itself.
 */
export class DynamoProcessedUpdateStore implements ProcessedUpdateStore {
  private readonly clock: Clock;

  constructor(private readonly options: DynamoStorageOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** @inheritdoc */
  claim(key: string, ttlSeconds: number): Promise<boolean> {
    return guarded("processedUpdates.claim", async () => {
      const now = Math.floor(this.clock.now().getTime() / 1000);
      const writeId = randomUUID();
      const { client, tableName } = this.options;
      return conditional(
        () =>
          client.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...keys.claim(key), [ttlAttribute]: now + ttlSeconds, writeId },
              ConditionExpression: "attribute_not_exists(#pk) OR #expiresAt < :now",
              ExpressionAttributeNames: { "#pk": pk, "#expiresAt": ttlAttribute },
              ExpressionAttributeValues: { ":now": now },
            }),
          ),
        // Refused by this claim's own first attempt (its answer lost): still ours.
        () => showsOwnWrite(client, tableName, keys.claim(key), { writeId }),
      );
    });
  }
}

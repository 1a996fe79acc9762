/**
 * scripts/backfill-responses-index.ts on dynalite: submissions stored before the `responses` index existed (no
 * index attributes) become listed by `answers.listResponses`, profiles and other items are untouched, and a
 * second run changes nothing.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoStorage, keys } from "../../bot/storage/dynamodb";
import type { QuestionnaireSubmission } from "../../bot/storage/port";
import { backfillResponsesIndex } from "../../scripts/backfill-responses-index";
import { type LocalDynamo, startDynalite } from "../helpers/dynamo";

let dynamo: LocalDynamo;
beforeEach(async () => {
  dynamo = await startDynalite();
});
afterEach(async () => {
  await dynamo.stop();
});

function old(i: number): QuestionnaireSubmission {
  const at = new Date(Date.UTC(2026, 5, 1, 12, i)).toISOString();
  return {
    userId: 70 + i,
    questionnaireId: "course-feedback",
    questionnaireVersion: 1,
    runId: `old-${i}`,
    answers: { rating: "4" },
    answeredAt: { rating: at },
    startedAt: at,
    submittedAt: at,
  };
}

it("indexes submissions saved before the index existed, once, and touches nothing else", async () => {
  const { documentClient, tableName } = dynamo;
  const storage = createDynamoStorage({ client: documentClient, tableName });
  // As the bot wrote submissions before: the keys, without the index attributes.
  for (let i = 0; i < 30; i++)
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: { ...old(i), ...keys.answers(old(i)) } }),
    );
  const fresh = { ...old(99), runId: "new-1" };
  await storage.answers.save(fresh);
  await storage.users.createIfMissing({
    userId: 70,
    chatId: 70,
    language: "en",
    createdAt: "2026-06-01T00:00:00.000Z",
    updatedAt: "2026-06-01T00:00:00.000Z",
    subscribed: false,
    blocked: false,
  });
  expect((await storage.answers.listResponses("course-feedback")).items.map((s) => s.runId)).toEqual([
    "new-1",
  ]);

  const first = await backfillResponsesIndex(documentClient, tableName);
  const second = await backfillResponsesIndex(documentClient, tableName);

  expect(first).toEqual({ indexed: 30, skipped: 0 });
  expect(second).toEqual({ indexed: 0, skipped: 0 });
  const { items } = await storage.answers.listResponses("course-feedback", { limit: 100 });
  expect(items.map((s) => s.runId)).toEqual([...Array.from({ length: 30 }, (_, i) => `old-${i}`), "new-1"]);
  expect(items[0]).toEqual(old(0));
  const { Item: profile } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.userProfile(70) }),
  );
  expect(profile).not.toHaveProperty("responsesPk");
});

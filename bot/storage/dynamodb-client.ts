/**
 * The one way to build the DynamoDB document client (the SDK's `DynamoDBDocumentClient`), so the handlers,
 * the local stack, the benchmarks and the tests marshal items identically. The adapters rely on
 * `removeUndefinedValues`: optional fields left `undefined` (e.g. `ChatState.mode`) are dropped instead of
 * making the SDK throw; class instances are refused rather than silently flattened.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  type TranslateConfig,
} from "@aws-sdk/lib-dynamodb";
import type { TableIndex } from "../../contracts/table";
import { InvalidStorageArgumentError } from "./errors";
import { decodeCursor, encodeCursor, pageLimit } from "./shared";

/** Marshalling settings the adapters assume; use them when wrapping a client you built yourself. */
export const documentClientTranslateConfig: TranslateConfig = {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  unmarshallOptions: { wrapNumbers: false },
};

/** A DynamoDB client and the document client over it (they share connections and middleware). */
export interface DynamoClients {
  /** For table operations (CreateTable, DescribeTable, DeleteTable...) and middleware. */
  client: DynamoDBClient;
  /** What the storage adapters take. */
  documentClient: DynamoDBDocumentClient;
}

/**
 * Builds the clients from an SDK configuration (region, endpoint, credentials, request handler...); see
 * bot/runtime/aws.ts `awsClientConfigFrom` for the one the handlers use.
 */
export function createDynamoClients(config: DynamoDBClientConfig): DynamoClients {
  const client = new DynamoDBClient(config);
  return { client, documentClient: DynamoDBDocumentClient.from(client, documentClientTranslateConfig) };
}

/** Every item a Query finds, following `LastEvaluatedKey` page by page (partitions here hold few items). */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, "ExclusiveStartKey">,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  await queryPages(client, input, (page) => {
    items.push(...(page.Items ?? []));
  });
  return items;
}

/** Runs `input` page after page (following `LastEvaluatedKey`) and hands each page to `onPage`, e.g. to sum `Count`. */
export async function queryPages(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, "ExclusiveStartKey">,
  onPage: (page: QueryCommandOutput) => void,
): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    onPage(page);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * One Query page of a GSI partition (eventually consistent: a GSI cannot be read consistently). The cursor is
 * the base64url JSON of `LastEvaluatedKey`; a cursor of another partition or index is refused.
 */
export async function queryIndexPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  index: TableIndex,
  partition: string,
  page: { cursor?: string; limit?: number } = {},
): Promise<{ items: Record<string, unknown>[]; cursor?: string }> {
  const limit = pageLimit(page.limit);
  const startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  if (startKey && startKey[index.partitionKey] !== partition) {
    throw new InvalidStorageArgumentError(
      `The page cursor belongs to another query than ${index.name} ${partition}; pass back the cursor this query returned.`,
    );
  }
  const { Items = [], LastEvaluatedKey } = await client.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: "#ipk = :partition",
      ExpressionAttributeNames: { "#ipk": index.partitionKey },
      ExpressionAttributeValues: { ":partition": partition },
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return { items: Items, ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) } : {}) };
}

/** Items per BatchWriteItem request (DynamoDB's limit). */
const batchWriteLimit = 25;
/** Rounds of resending the items a BatchWriteItem left unprocessed (throttling) before giving up. */
const unprocessedRounds = 8;

/** Thrown when DynamoDB keeps leaving deletes unprocessed (sustained throttling); retrying later finishes them. */
export class DeletesUnprocessedError extends Error {
  constructor(readonly left: number) {
    super(
      `${left} deletes were still unprocessed after ${unprocessedRounds} rounds of BatchWriteItem (throttling); ` +
        "run the deletion again: deleting is idempotent.",
    );
    this.name = "DeletesUnprocessedError";
  }
}

/**
 * Deletes the items with these primary keys, 25 per BatchWriteItem, resending what DynamoDB leaves unprocessed
 * with a growing pause. Deleting a missing item is not an error, so a repeated call is harmless (the privacy
 * eraser relies on that).
 */
export async function deleteKeys(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<void> {
  for (let start = 0; start < keys.length; start += batchWriteLimit) {
    let requests = keys.slice(start, start + batchWriteLimit).map((key) => ({ DeleteRequest: { Key: key } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round >= unprocessedRounds) throw new DeletesUnprocessedError(requests.length);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      const { UnprocessedItems } = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

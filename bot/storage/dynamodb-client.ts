/**
 * The one way to build the DynamoDB document client, so the Lambda handlers, the local stack, the benchmark
 * and the tests marshal items identically. The storage adapter relies on `removeUndefinedValues`: optional
 * fields left `undefined` (e.g. `ChatState.mode`) are dropped instead of making the SDK throw.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, type TranslateConfig } from "@aws-sdk/lib-dynamodb";

/** Marshalling settings the storage adapter assumes; use them when wrapping a client you built yourself. */
export const documentClientTranslateConfig: TranslateConfig = {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  unmarshallOptions: { wrapNumbers: false },
};

/**
 * Builds a {@link DynamoDBDocumentClient} with {@link documentClientTranslateConfig} from a plain client
 * config (region, endpoint, credentials...). Pass an existing {@link DynamoDBClient} to share its connections
 * and middleware (e.g. a request counter) with the document client.
 */
export function createDocumentClient(
  config: DynamoDBClientConfig | DynamoDBClient = {},
): DynamoDBDocumentClient {
  const client = config instanceof DynamoDBClient ? config : new DynamoDBClient(config);
  return DynamoDBDocumentClient.from(client, documentClientTranslateConfig);
}

/**
 * DynamoDB with plain JavaScript items, like `lib-dynamodb`'s document client (same inputs and outputs, same
 * marshaller: `@aws-sdk/util-dynamodb`), over the light {@link AwsJsonClient}. The storage adapters call
 * `get`/`put`/`update`/`query`; table management (`CreateTable`...) goes through {@link DynamoDocumentClient.call}.
 * tests/aws/dynamodb-compat.test.ts proves items round-trip identically with the SDK's document client.
 */
import type {
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { type AwsClientObserver, type AwsClientOptions, AwsJsonClient, awsServices } from "./json-protocol";

/** A document client output without the SDK's `$metadata`. */
type Output<T> = Omit<T, "$metadata">;
type Item = Record<string, unknown>;
type Wire = Record<string, unknown>;

/**
 * `removeUndefinedValues`: optional fields left `undefined` (e.g. `ChatState.mode`) are dropped instead of
 * throwing; class instances are refused rather than silently flattened.
 */
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

function toWire(item: Item | undefined): Wire | undefined {
  return item === undefined ? undefined : (marshall(item, marshallOptions) as Wire);
}

function fromWire(item: unknown): Item | undefined {
  return item === undefined ? undefined : unmarshall(item as Parameters<typeof unmarshall>[0]);
}

/** Replaces the listed native-valued fields of `input` with their DynamoDB JSON. */
function marshalled(input: object, fields: string[]): Wire {
  const wire: Wire = { ...input };
  for (const field of fields) {
    const value = wire[field];
    if (value !== undefined) wire[field] = toWire(value as Item);
  }
  return wire;
}

/** The document client the storage adapters take; build it with `createDocumentClient`. */
export class DynamoDocumentClient {
  /** The wire-level client (observers, `destroy`). */
  readonly client: AwsJsonClient;

  constructor(options: AwsClientOptions) {
    this.client = new AwsJsonClient(awsServices.dynamodb, options);
  }

  /** GetItem. */
  async get(input: GetCommandInput): Promise<Output<GetCommandOutput>> {
    const output = await this.client.call<Wire>("GetItem", marshalled(input, ["Key"]));
    return { ...output, Item: fromWire(output.Item) } as Output<GetCommandOutput>;
  }

  /** PutItem. */
  async put(input: PutCommandInput): Promise<Output<PutCommandOutput>> {
    const output = await this.client.call<Wire>(
      "PutItem",
      marshalled(input, ["Item", "ExpressionAttributeValues"]),
    );
    return { ...output, Attributes: fromWire(output.Attributes) } as Output<PutCommandOutput>;
  }

  /** UpdateItem. */
  async update(input: UpdateCommandInput): Promise<Output<UpdateCommandOutput>> {
    const output = await this.client.call<Wire>(
      "UpdateItem",
      marshalled(input, ["Key", "ExpressionAttributeValues"]),
    );
    return { ...output, Attributes: fromWire(output.Attributes) } as Output<UpdateCommandOutput>;
  }

  /** DeleteItem. */
  async delete(input: DeleteCommandInput): Promise<Output<DeleteCommandOutput>> {
    const output = await this.client.call<Wire>(
      "DeleteItem",
      marshalled(input, ["Key", "ExpressionAttributeValues"]),
    );
    return { ...output, Attributes: fromWire(output.Attributes) } as Output<DeleteCommandOutput>;
  }

  /** Query (one page; follow `LastEvaluatedKey`). */
  async query(input: QueryCommandInput): Promise<Output<QueryCommandOutput>> {
    const output = await this.client.call<Wire>(
      "Query",
      marshalled(input, ["ExpressionAttributeValues", "ExclusiveStartKey"]),
    );
    const items = output.Items as unknown[] | undefined;
    return {
      ...output,
      Items: items?.map((item) => fromWire(item) as Item),
      LastEvaluatedKey: fromWire(output.LastEvaluatedKey),
    } as Output<QueryCommandOutput>;
  }

  /** Any other operation in DynamoDB JSON (CreateTable, DescribeTable, DeleteTable, ListTables...). */
  call<T = Record<string, unknown>>(operation: string, input: object): Promise<T> {
    return this.client.call<T>(operation, input);
  }

  /** See {@link AwsJsonClient.observe}. */
  observe(observer: AwsClientObserver): () => void {
    return this.client.observe(observer);
  }

  /** Closes idle connections. */
  destroy(): void {
    this.client.destroy();
  }
}

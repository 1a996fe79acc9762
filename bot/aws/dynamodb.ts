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
  if (item === undefined) return undefined;
  const decoded = Object.fromEntries(
    Object.entries(item as Record<string, unknown>).map(([name, value]) => [name, decodeBinary(value)]),
  );
  return unmarshall(decoded as Parameters<typeof unmarshall>[0]);
}

/**
 * Binary values arrive base64-encoded in DynamoDB JSON (`{"B": "AQL/"}`), where `unmarshall` expects bytes;
 * the SDK's protocol layer decodes them before its document client sees them, so this does the same.
 * (Sending needs no counterpart: {@link AwsJsonClient} writes every byte array as base64.)
 */
function decodeBinary(attribute: unknown): unknown {
  if (attribute === null || typeof attribute !== "object") return attribute;
  const value = attribute as { B?: unknown; BS?: unknown; L?: unknown[]; M?: Record<string, unknown> };
  if (typeof value.B === "string") return { B: Buffer.from(value.B, "base64") };
  if (Array.isArray(value.BS)) return { BS: value.BS.map((entry) => Buffer.from(String(entry), "base64")) };
  if (Array.isArray(value.L)) return { L: value.L.map(decodeBinary) };
  if (value.M !== undefined) {
    const entries = Object.entries(value.M).map(([name, nested]) => [name, decodeBinary(nested)]);
    return { M: Object.fromEntries(entries) };
  }
  return attribute;
}

/** Sets `key` only when there is a value: the SDK's outputs have no keys holding `undefined`. */
function withOptional<T extends object>(output: T, key: string, value: unknown): T {
  const copy = { ...output } as Record<string, unknown>;
  delete copy[key];
  if (value !== undefined) copy[key] = value;
  return copy as T;
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

/** The document client the storage adapters take (the handlers build it in bot/handlers/runtime.ts). */
export class DynamoDocumentClient {
  /** The wire-level client (observers, `destroy`). */
  readonly client: AwsJsonClient;

  constructor(options: AwsClientOptions) {
    this.client = new AwsJsonClient(awsServices.dynamodb, options);
  }

  /** GetItem. */
  async get(input: GetCommandInput): Promise<Output<GetCommandOutput>> {
    const output = await this.client.call<Wire>("GetItem", marshalled(input, ["Key"]));
    return withOptional(output, "Item", fromWire(output.Item)) as Output<GetCommandOutput>;
  }

  /** PutItem. */
  put(input: PutCommandInput): Promise<Output<PutCommandOutput>> {
    return this.write("PutItem", input, ["Item", "ExpressionAttributeValues"]);
  }

  /** UpdateItem. */
  update(input: UpdateCommandInput): Promise<Output<UpdateCommandOutput>> {
    return this.write("UpdateItem", input, ["Key", "ExpressionAttributeValues"]);
  }

  /** DeleteItem. */
  delete(input: DeleteCommandInput): Promise<Output<DeleteCommandOutput>> {
    return this.write("DeleteItem", input, ["Key", "ExpressionAttributeValues"]);
  }

  /** A single-item write: the listed input fields marshalled, `Attributes` (when asked for) unmarshalled. */
  private async write<T>(operation: string, input: object, fields: string[]): Promise<T> {
    const output = await this.client.call<Wire>(operation, marshalled(input, fields));
    return withOptional(output, "Attributes", fromWire(output.Attributes)) as T;
  }

  /** Query (one page; follow `LastEvaluatedKey`). */
  async query(input: QueryCommandInput): Promise<Output<QueryCommandOutput>> {
    const output = await this.client.call<Wire>(
      "Query",
      marshalled(input, ["ExpressionAttributeValues", "ExclusiveStartKey"]),
    );
    const items = output.Items as unknown[] | undefined;
    const withItems = withOptional(
      output,
      "Items",
      items?.map((item) => fromWire(item) as Item),
    );
    return withOptional(
      withItems,
      "LastEvaluatedKey",
      fromWire(output.LastEvaluatedKey),
    ) as Output<QueryCommandOutput>;
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

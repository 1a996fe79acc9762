/**
 * Creates the single table for the local stack and the tests. The cloud table is created by Pulumi from the
 * same `contracts/table.ts`, so this is never called in Lambda.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, tableDefinition } from "../../contracts/table";

/** Thrown when a table does not become ACTIVE in time; the local DynamoDB is probably overloaded or stuck. */
export class TableNotReadyError extends Error {
  constructor(
    readonly tableName: string,
    readonly waitedMs: number,
  ) {
    super(
      `Table ${tableName} was not ACTIVE after ${waitedMs} ms; check that the local DynamoDB is running ` +
        "and answering, or raise `timeoutMs`.",
    );
    this.name = "TableNotReadyError";
  }
}

/** Thrown when an existing table lacks an index of contracts/table.ts (a local table made by an older layout). */
export class TableLayoutMismatchError extends Error {
  constructor(
    readonly tableName: string,
    readonly missingIndexes: string[],
  ) {
    super(
      `Table ${tableName} has no index ${missingIndexes.join(", ")}; it was made by an older layout. ` +
        "Delete the local table (or the local data folder) so ensureTable recreates it from contracts/table.ts.",
    );
    this.name = "TableLayoutMismatchError";
  }
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (isNamed(error, "ResourceNotFoundException")) return undefined;
    throw error;
  }
}

function isActive(output: DescribeTableCommandOutput | undefined): boolean {
  const table = output?.Table;
  if (table?.TableStatus !== "ACTIVE") return false;
  return (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === "ACTIVE");
}

/**
 * Creates `tableName` from {@link createTableInput} unless it exists, then polls DescribeTable until the table
 * and its indexes are ACTIVE (writes right after CreateTable fail otherwise).
 * @throws TableLayoutMismatchError when an existing table lacks an index
 * @throws TableNotReadyError when the table is not ACTIVE within `timeoutMs`
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: {
    timeoutMs?: number;
    pollMs?: number;
    /**
     * Local tables only (dynalite cannot add an index to a table): rebuild a table made by an older layout,
     * copying its items into a new one, instead of throwing {@link TableLayoutMismatchError}.
     */
    rebuildOlderLayout?: boolean;
  } = {},
): Promise<void> {
  const { timeoutMs = 30_000, pollMs = 50 } = options;
  const started = Date.now();
  let described = await describe(client, tableName);
  if (!described) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName) as CreateTableCommandInput));
    } catch (error) {
      if (!isNamed(error, "ResourceInUseException")) throw error; // created meanwhile by someone else
    }
  } else {
    const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = tableDefinition.globalSecondaryIndexes
      .map((i) => i.name)
      .filter((name) => !present.has(name));
    if (missing.length > 0 && !options.rebuildOlderLayout)
      throw new TableLayoutMismatchError(tableName, missing);
    if (missing.length > 0) await rebuild(client, tableName, { timeoutMs, pollMs });
  }
  for (;;) {
    described = await describe(client, tableName);
    if (isActive(described)) return;
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw new TableNotReadyError(tableName, waited);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Recreates a local table from contracts/table.ts with the items it held (a local data folder made before an
 * index was added). Items are read whole first, so the copy is complete before the old table is dropped.
 */
async function rebuild(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs: number; pollMs: number },
): Promise<void> {
  const items: NonNullable<WriteRequest["PutRequest"]>["Item"][] = [];
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey as typeof startKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  for (let waited = 0; await describe(client, tableName); waited += options.pollMs) {
    if (waited > options.timeoutMs) throw new TableNotReadyError(tableName, waited);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  await ensureTable(client, tableName, options);
  for (let start = 0; start < items.length; start += 25) {
    let requests: WriteRequest[] = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = UnprocessedItems?.[tableName] ?? [];
    }
  }
}

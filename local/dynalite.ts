/**
 * DynamoDB on loopback for the local stack and tests: dynalite in-process, in memory or persisted on disk
 * (`path`), with the table created from the same definition the Pulumi program uses (contracts/table.ts).
 */
import type { Server } from "node:http";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import dynalite from "dynalite";
import { createDynamoClients, type DynamoClients } from "../bot/storage/dynamodb-client";
import { ensureTable } from "../bot/storage/dynamodb-table";

/** A running local DynamoDB with the Lambdagram table. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The document client the storage adapters take. */
  documentClient: DynamoDBDocumentClient;
  /** The client under it, for table operations (DeleteTable...) and middleware. */
  client: DynamoDBClient;
  tableName: string;
  /** Stops the server (flushing data to disk when persisted); safe to call twice. */
  stop(): Promise<void>;
}

/** Clients of a local endpoint: fake credentials, us-east-1. */
export function localClients(endpoint: string, maxAttempts?: number): DynamoClients {
  return createDynamoClients({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
}

/** The document client of a local endpoint (see {@link localClients}). */
export function localClient(endpoint: string, maxAttempts?: number): DynamoDBDocumentClient {
  return localClients(endpoint, maxAttempts).documentClient;
}

/** Wraps a started endpoint: creates the table (waiting until ACTIVE) and builds the clients. */
export async function withTable(
  endpoint: string,
  options: { tableName?: string; maxAttempts?: number },
  stopServer: () => Promise<void>,
): Promise<LocalDynamo> {
  const tableName = options.tableName ?? "lambdagram-test";
  const { client, documentClient } = localClients(endpoint, options.maxAttempts);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await stopServer();
  };
  try {
    // A data folder from before an index was added is rebuilt with its items (dynalite cannot add indexes).
    await ensureTable(client, tableName, { rebuildOlderLayout: true });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, documentClient, client, tableName, stop };
}

/** Starts dynalite on a free loopback port; `path` persists data there (never open one path twice). */
export async function startDynalite(
  options: { tableName?: string; maxAttempts?: number; path?: string } = {},
): Promise<LocalDynamo> {
  const server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("dynalite did not listen on a TCP port");
  return withTable(`http://127.0.0.1:${address.port}`, options, async () => {
    server.closeAllConnections(); // keep-alive sockets of the SDK would hold close() open
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });
}

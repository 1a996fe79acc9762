/**
 * Counts the DynamoDB requests a client sends, by operation. The webhook benchmark uses it to prove the
 * budget of 2 requests (1 GetItem + 1 PutItem) per plain text message; tests use it to pin access patterns.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Live counts of one client's requests; read them at any time. */
export interface RequestCounter {
  /** Commands sent, by operation name (`GetItem`, `PutItem`, `Query`...), one per `send` whatever the retries. */
  readonly byCommand: Readonly<Record<string, number>>;
  /** HTTP attempts by operation name, retries included: what DynamoDB actually receives. */
  readonly attemptsByCommand: Readonly<Record<string, number>>;
  /** Sum of {@link RequestCounter.byCommand}. */
  total(): number;
  /** Sets every count back to zero. */
  reset(): void;
  /** Removes the middleware from the client; counts stop changing. */
  dispose(): void;
}

let nextId = 0;

type Next = (args: unknown) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;
type Stack = {
  add(middleware: Middleware, options: { step: "initialize" | "deserialize"; name: string }): void;
  remove(name: string): boolean;
};

/**
 * Adds a counting middleware to `client` (a DynamoDBClient, or a DynamoDBDocumentClient, which shares its
 * middleware stack with the client it wraps, so counting either one counts both).
 */
export function countRequests(client: DynamoDBClient | DynamoDBDocumentClient): RequestCounter {
  const byCommand: Record<string, number> = {};
  const attemptsByCommand: Record<string, number> = {};
  const id = nextId++;
  const sendsName = `lambdagramCountRequests${id}`;
  const attemptsName = `lambdagramCountAttempts${id}`;
  const counting =
    (counts: Record<string, number>): Middleware =>
    (next, context) =>
    async (args) => {
      const name = (context.commandName ?? "Unknown").replace(/Command$/, "");
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    };
  const stack = client.middlewareStack as unknown as Stack;
  // initialize runs once per send; deserialize runs inside the retry loop, once per HTTP attempt.
  stack.add(counting(byCommand), { step: "initialize", name: sendsName });
  stack.add(counting(attemptsByCommand), { step: "deserialize", name: attemptsName });
  return {
    byCommand,
    attemptsByCommand,
    total: () => Object.values(byCommand).reduce((sum, count) => sum + count, 0),
    reset: () => {
      for (const counts of [byCommand, attemptsByCommand])
        for (const key of Object.keys(counts)) delete counts[key];
    },
    dispose: () => {
      stack.remove(sendsName);
      stack.remove(attemptsName);
    },
  };
}

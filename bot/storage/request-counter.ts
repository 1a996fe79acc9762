/**
 * Counts and times the DynamoDB requests a client sends, by operation, through the SDK's middleware stack.
 * The webhook benchmark uses it to prove the budget of 2 requests (1 GetItem + 1 PutItem) per plain text
 * message and to tell our own time from DynamoDB's; tests use it to pin access patterns.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Live counts of one client's requests; read them at any time. */
export interface RequestCounter {
  /** Operations sent, by name (`GetItem`, `PutItem`, `Query`...), one per call whatever the retries. */
  readonly byCommand: Readonly<Record<string, number>>;
  /** HTTP attempts by operation name, retries included: what DynamoDB actually receives. */
  readonly attemptsByCommand: Readonly<Record<string, number>>;
  /** Milliseconds spent inside operations (retries and back-off included), summed. */
  readonly durationMs: number;
  /** Sum of {@link RequestCounter.byCommand}. */
  total(): number;
  /** Sets every count back to zero. */
  reset(): void;
  /** Removes the middleware; counts stop changing. */
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
 * Adds counting middleware to `client` (a DynamoDBClient, or a DynamoDBDocumentClient, which shares its
 * middleware stack with the client it wraps, so counting either one counts both).
 */
export function countRequests(client: DynamoDBClient | DynamoDBDocumentClient): RequestCounter {
  const byCommand: Record<string, number> = {};
  const attemptsByCommand: Record<string, number> = {};
  let durationMs = 0;
  const id = nextId++;
  const sendsName = `lambdagramCountRequests${id}`;
  const attemptsName = `lambdagramCountAttempts${id}`;
  const operation = (context: { commandName?: string }) =>
    (context.commandName ?? "Unknown").replace(/Command$/, "");
  const stack = client.middlewareStack as unknown as Stack;
  // initialize runs once per send (around the retries); deserialize once per HTTP attempt.
  stack.add(
    (next, context) => async (args) => {
      const name = operation(context);
      byCommand[name] = (byCommand[name] ?? 0) + 1;
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        durationMs += performance.now() - started;
      }
    },
    { step: "initialize", name: sendsName },
  );
  stack.add(
    (next, context) => async (args) => {
      const name = operation(context);
      attemptsByCommand[name] = (attemptsByCommand[name] ?? 0) + 1;
      return next(args);
    },
    { step: "deserialize", name: attemptsName },
  );
  return {
    byCommand,
    attemptsByCommand,
    get durationMs() {
      return durationMs;
    },
    total: () => Object.values(byCommand).reduce((sum, count) => sum + count, 0),
    reset: () => {
      durationMs = 0;
      for (const counts of [byCommand, attemptsByCommand])
        for (const key of Object.keys(counts)) delete counts[key];
    },
    dispose: () => {
      stack.remove(sendsName);
      stack.remove(attemptsName);
    },
  };
}

/**
 * Counts the DynamoDB requests a client sends, by operation. The webhook benchmark uses it to prove the
 * budget of 2 requests (1 GetItem + 1 PutItem) per plain text message; tests use it to pin access patterns.
 */
import type { DynamoDocumentClient } from "../aws/dynamodb";

/** Live counts of one client's requests; read them at any time. */
export interface RequestCounter {
  /** Operations sent, by name (`GetItem`, `PutItem`, `Query`...), one per call whatever the retries. */
  readonly byCommand: Readonly<Record<string, number>>;
  /** HTTP attempts by operation name, retries included: what DynamoDB actually receives. */
  readonly attemptsByCommand: Readonly<Record<string, number>>;
  /** Sum of {@link RequestCounter.byCommand}. */
  total(): number;
  /** Sets every count back to zero. */
  reset(): void;
  /** Stops counting; counts stop changing. */
  dispose(): void;
}

/** Starts counting the operations and HTTP attempts of `client`. */
export function countRequests(client: DynamoDocumentClient): RequestCounter {
  const byCommand: Record<string, number> = {};
  const attemptsByCommand: Record<string, number> = {};
  const dispose = client.observe({
    onOperation: ({ operation }) => {
      byCommand[operation] = (byCommand[operation] ?? 0) + 1;
    },
    onAttempt: ({ operation }) => {
      attemptsByCommand[operation] = (attemptsByCommand[operation] ?? 0) + 1;
    },
  });
  return {
    byCommand,
    attemptsByCommand,
    total: () => Object.values(byCommand).reduce((sum, count) => sum + count, 0),
    reset: () => {
      for (const counts of [byCommand, attemptsByCommand])
        for (const key of Object.keys(counts)) delete counts[key];
    },
    dispose,
  };
}

/**
 * The SDK's SQS client and the one command the job queue sends. A module of its own, imported dynamically by
 * the SQS job queue on its first send, so a cold start that queues nothing never loads it; the static imports
 * below let esbuild keep only what SendMessageBatch needs, and `npm run build` makes it a file of its own next
 * to the bundle (scripts/build.ts `lazyModules`). It imports nothing of ours, for the same reason.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";

/** Sends one SendMessageBatch request. */
export type SendMessageBatch = (input: {
  QueueUrl: string;
  Entries: { Id: string; MessageBody: string; DelaySeconds?: number }[];
}) => Promise<SendMessageBatchCommandOutput>;

/** An SQS client (one per queue, kept for the container's life) and a `destroy` for tests. */
export function createSqsSender(config: SQSClientConfig): { send: SendMessageBatch; destroy(): void } {
  const sqs = new SQSClient(config);
  return { send: (input) => sqs.send(new SendMessageBatchCommand(input)), destroy: () => sqs.destroy() };
}

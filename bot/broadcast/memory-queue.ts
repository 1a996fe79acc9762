/**
 * In-process {@link BroadcastQueue}: records broadcasts in memory, one per request id. Used by tests and
 * the terminal chat, where there is no SQS; the deployed bot records them in DynamoDB.
 */
import type { BroadcastQueue, BroadcastRequest } from "../ports";

/** A recorded broadcast. */
export interface RecordedBroadcast extends BroadcastRequest {
  id: string;
}

/** Keeps broadcasts in an array; enqueueing the same `requestId` twice records it once. */
export class MemoryBroadcastQueue implements BroadcastQueue {
  readonly recorded: RecordedBroadcast[] = [];

  async enqueue(request: BroadcastRequest): Promise<{ id: string }> {
    const existing = this.recorded.find((broadcast) => broadcast.requestId === request.requestId);
    if (existing) return { id: existing.id };
    const id = `b${this.recorded.length + 1}`;
    this.recorded.push({ ...structuredClone(request), id });
    return { id };
  }
}

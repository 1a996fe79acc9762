/**
 * {@link HandoffStore} in memory: the same answers as the DynamoDB adapter (idempotent open, conditional
 * close, index by support message), for the bot harness, the terminal chat and the contract suite.
 */
import { checkThreadId, type HandoffStore, type HandoffThread, type ThreadClose } from "./port";

/** {@link HandoffStore} in memory. */
export class MemoryHandoffStore implements HandoffStore {
  private readonly threads = new Map<string, HandoffThread & { closeId?: string }>();
  private readonly messages = new Map<string, string>();

  /** @inheritdoc */
  async open(thread: HandoffThread): Promise<void> {
    checkThreadId(thread.threadId);
    if (!this.threads.has(thread.threadId)) this.threads.set(thread.threadId, structuredClone(thread));
  }

  /** @inheritdoc */
  async get(threadId: string): Promise<HandoffThread | undefined> {
    checkThreadId(threadId);
    const thread = this.threads.get(threadId);
    if (!thread) return undefined;
    const { closeId: _closeId, ...rest } = structuredClone(thread);
    return rest;
  }

  /** @inheritdoc */
  async recordMessage(threadId: string, messageId: number, options: { root?: boolean } = {}): Promise<void> {
    checkThreadId(threadId);
    const thread = this.threads.get(threadId);
    if (!thread) return;
    if (options.root && thread.rootMessageId === undefined) thread.rootMessageId = messageId;
    thread.supportMessageIds.push(messageId);
    this.messages.set(`${thread.supportChatId}#${messageId}`, threadId);
  }

  /** @inheritdoc */
  async threadOfMessage(supportChatId: number, messageId: number): Promise<string | undefined> {
    return this.messages.get(`${supportChatId}#${messageId}`);
  }

  /** @inheritdoc */
  async close(threadId: string, close: ThreadClose): Promise<HandoffThread | undefined> {
    checkThreadId(threadId);
    const thread = this.threads.get(threadId);
    if (!thread) return undefined;
    if (thread.status === "closed") return thread.closeId === close.closeId ? this.get(threadId) : undefined;
    Object.assign(thread, {
      status: "closed",
      closedAt: close.at,
      closedBy: close.by,
      closeId: close.closeId,
    });
    return this.get(threadId);
  }

  /** @inheritdoc */
  async forgetUser(userId: number): Promise<void> {
    for (const [threadId, thread] of [...this.threads]) {
      if (thread.userId !== userId) continue;
      for (const messageId of thread.supportMessageIds)
        this.messages.delete(`${thread.supportChatId}#${messageId}`);
      this.threads.delete(threadId);
    }
  }
}

/**
 * Answers Bot API calls in-process, without a network or an emulator: `sendMessage` gets a Message with a
 * fresh id, `copyMessage` a MessageId, everything else `true`. The terminal chat, the bot tests and the webhook benchmark use it
 * through a grammY API transformer, so the bot code runs unmodified.
 */
import type { Api, RawApi, Transformer } from "grammy";

/** One call the bot made. */
export interface InProcessCall {
  method: string;
  payload: Record<string, unknown>;
}

/** Options: observe each call, or make one fail (to simulate Telegram errors). */
export interface InProcessTelegramOptions {
  onCall?: (call: InProcessCall) => void;
  fail?: (call: InProcessCall) => Error | undefined;
}

/** Installs the in-process answers on `api`; returns the list of calls it records. */
export function answerInProcess(api: Api<RawApi>, options: InProcessTelegramOptions = {}): InProcessCall[] {
  const calls: InProcessCall[] = [];
  let messageId = 1000;
  const transformer: Transformer<RawApi> = async (_prev, method, payload) => {
    const call = { method, payload: payload as unknown as Record<string, unknown> };
    calls.push(call);
    options.onCall?.(call);
    const failure = options.fail?.(call);
    if (failure) throw failure;
    const result =
      method === "sendMessage"
        ? {
            message_id: ++messageId,
            date: 0,
            chat: { id: call.payload.chat_id, type: "private" },
            text: call.payload.text,
          }
        : method === "copyMessage"
          ? { message_id: ++messageId }
          : true;
    // A transformer returns the raw envelope of whichever method was called.
    return { ok: true, result } as unknown as Awaited<ReturnType<typeof _prev>>;
  };
  api.config.use(transformer);
  return calls;
}

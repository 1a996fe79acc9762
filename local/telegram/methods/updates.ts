/** Bot API methods about getting updates: getMe, setWebhook, deleteWebhook, getWebhookInfo, getUpdates. */
import type { Update } from "grammy/types";
import { badRequest } from "../errors";
import type { BotApiParams } from "../params";
import { Described, type MethodContext, type MethodRunner } from "./context";

/** The update methods, by name. */
export function updateMethods({ state, queue }: MethodContext): Record<string, MethodRunner> {
  function deleteWebhook(p: BotApiParams): Described {
    const existed = queue.webhook !== undefined;
    queue.deleteWebhook(p.boolean("drop_pending_updates"));
    return new Described(true, existed ? "Webhook was deleted" : "Webhook is already deleted");
  }

  function setWebhook(p: BotApiParams): Described {
    const url = p.string("url") ?? "";
    const dropPending = p.boolean("drop_pending_updates");
    if (url === "") return deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    }
    const secretToken = p.string("secret_token");
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest("secret token contains unallowed characters");
    }
    const maxConnections = Math.min(100, Math.max(1, p.integer("max_connections") ?? 40));
    const previous = queue.webhook;
    queue.setWebhook(
      { url, maxConnections, ...(secretToken ? { secretToken } : {}) },
      p.stringList("allowed_updates"),
      dropPending,
    );
    const unchanged = previous?.url === url && previous.secretToken === secretToken;
    return new Described(true, unchanged ? "Webhook is already set" : "Webhook was set");
  }

  function getUpdates(p: BotApiParams, cancelled: AbortSignal): Promise<Update[]> {
    const offset = p.integer("offset");
    const allowedUpdates = p.stringList("allowed_updates");
    return queue.poll(
      {
        ...(offset === undefined ? {} : { offset }),
        limit: Math.min(100, Math.max(1, p.integer("limit") ?? 100)),
        timeoutMs: Math.min(50, Math.max(0, p.integer("timeout") ?? 0)) * 1000,
        ...(allowedUpdates ? { allowedUpdates } : {}),
      },
      cancelled,
    );
  }

  return {
    getMe: () => state.botInfo,
    setWebhook,
    deleteWebhook,
    getWebhookInfo: () => queue.webhookInfo(),
    getUpdates,
  };
}

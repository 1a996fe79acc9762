/**
 * The inbox routes of the admin API (bot/admin-api/router.ts checks the bearer token first). JSON shapes, which
 * the CLI (`npx lambdagram inbox export`, bot/inbox/export.ts) and the local operator view read:
 *
 * - `GET /admin/inbox?status=new|labelled|outOfScope|dismissed&limit=1..100&cursor=<opaque>` → 200
 *   `{ "status": "new", "entries": [Entry, ...], "cursor"?: "<next page>" }`, most frequent first (then most
 *   recently seen); no `cursor` after the last page. Defaults: status `new`, limit 20. A bad status, limit or
 *   cursor → 400 `{ error, field }`.
 * - `POST /admin/inbox/{id}` with `{ "label": "<intentId>" }`, `{ "label": "outOfScope" }` or
 *   `{ "label": "dismissed" }` → 200 Entry (as stored now); 400 for an intent id the content pack does not have
 *   (or a body of another shape), 404 for an unknown (or expired) entry id.
 *
 * Entry: `{ id, text, normalized, language, tier: "rules"|"nlp", candidates: [{ intent, confidence }] (top 3,
 * best first), firstSeen, lastSeen (ISO), count, origins: ("declined"|"noneOfThese"|"thumbsDown")[],
 * answeredIntent? (the intent a 👎 refused), status, label? (the intent id when status is "labelled"),
 * labelledAt?, expiresAt (epoch seconds) }`. No user id is ever part of it.
 */
import { json, jsonBody, problem, queryParameter } from "../admin-api/http";
import type { AdminRoutes } from "../admin-api/router";
import type { Logger } from "../ports";
import { InvalidStorageArgumentError } from "../storage/errors";
import {
  type InboxLabel,
  type InboxStatus,
  type InboxStore,
  inboxStatuses,
  isInboxEntryId,
} from "./store/port";

/** Thrown for a label the content pack cannot take; answered 400 naming `label`. */
export class InvalidInboxLabelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidInboxLabelError";
  }
}

/** The label a POST body asks for, checked against the content pack's intent ids. */
function labelFrom(body: unknown, intentIds: ReadonlySet<string>): InboxLabel {
  const label =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).label
      : undefined;
  if (typeof label !== "string" || label === "")
    throw new InvalidInboxLabelError(
      'Send {"label": "<intent id>"}, {"label": "outOfScope"} or {"label": "dismissed"}.',
    );
  if (label === "outOfScope" || label === "dismissed") return { status: label };
  if (!intentIds.has(label))
    throw new InvalidInboxLabelError(
      `No intent has the id "${label}" in the deployed content pack; use an id from content/intents/ (e.g. ` +
        `${[...intentIds].slice(0, 2).join(", ")}), "outOfScope" or "dismissed".`,
    );
  return { status: "labelled", intent: label };
}

/** The limit query parameter as a number (the store checks its range). */
function limitFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value))
    throw new InvalidStorageArgumentError(`limit "${value}" is not a whole number.`);
  return Number(value);
}

/**
 * The inbox route group. The store is built on the first inbox request (`inbox`), and `intentIds` read on the
 * first label (the content pack), so the other routes of the function never need either.
 */
export function inboxAdminRoutes(deps: {
  inbox: () => InboxStore;
  intentIds: () => ReadonlySet<string>;
  logger: Logger;
  now: () => Date;
}): AdminRoutes {
  return {
    routes: {
      "GET /admin/inbox": async (event) => {
        const status = queryParameter(event, "status") ?? "new";
        if (!(inboxStatuses as readonly string[]).includes(status))
          return problem(400, `status must be one of ${inboxStatuses.join(", ")}.`, "status");
        const cursor = queryParameter(event, "cursor");
        const page = await deps.inbox().list({
          status: status as InboxStatus,
          ...(cursor ? { cursor } : {}),
          ...(queryParameter(event, "limit") !== undefined
            ? { limit: limitFrom(queryParameter(event, "limit")) }
            : {}),
        });
        return json(200, { status, ...page });
      },
      "POST /admin/inbox/{id}": async (event, { id }) => {
        const label = labelFrom(
          jsonBody(
            event,
            '{"label": "qa.lambda-memory"}',
            (_field, message) => new InvalidInboxLabelError(message),
          ),
          deps.intentIds(),
        );
        const entry = id && isInboxEntryId(id) ? await deps.inbox().label(id, label, deps.now()) : undefined;
        if (!entry) return problem(404, `No inbox entry has the id "${id ?? ""}" (it may have expired).`);
        deps.logger.info("inbox entry labelled through the admin API", { entryId: id, status: label.status });
        return json(200, entry);
      },
    },
    answerError: (error) => {
      if (error instanceof InvalidInboxLabelError) return problem(400, error.message, "label");
      if (error instanceof InvalidStorageArgumentError)
        return problem(400, error.message, /cursor/i.test(error.message) ? "cursor" : "limit");
      return undefined;
    },
  };
}

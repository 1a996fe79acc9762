/**
 * Telegram's side of the deployment, done inside `pulumi up` by two dynamic resources:
 * - {@link TelegramBotInfo}: `getMe` once, so the webhook function starts with `BOT_INFO` and never calls it;
 * - {@link WebhookRegistration}: `setWebhook` (URL, secret_token, allowed_updates, max_connections) and
 *   `setMyCommands` per language, re-run when any of them changes; `deleteWebhook` on destroy.
 *
 * Pulumi serialises the provider objects into its provider process, so their code uses only globals
 * (`fetch`, Node 20) and the helpers in this file; the API root is an input so tests can point it at a
 * loopback server. Tokens are inputs marked secret: state stores them encrypted.
 */
import * as pulumi from "@pulumi/pulumi";

/** Telegram's Bot API root; override it (input `apiRoot`) for tests or a self-hosted Bot API server. */
export const defaultTelegramApiRoot = "https://api.telegram.org";

/** How many simultaneous HTTPS connections Telegram may open to the webhook (Telegram's default). */
export const defaultMaxConnections = 40;

export type { BotCommand, CommandSet } from "../../contracts/commands";

import type { CommandSet } from "../../contracts/commands";

/**
 * A Bot API call that Telegram refused (`ok: false`) or that never reached Telegram. A plain `Error` with
 * `name = "TelegramApiError"` rather than a subclass: Pulumi's closure serialisation turns classes into
 * functions, and `Error.call(this, message)` would then lose the message in the deployment's provider.
 */
export interface TelegramApiError extends Error {
  name: "TelegramApiError";
  method: string;
  /** Telegram's `error_code` (or the HTTP status); undefined when the request failed on the way. */
  errorCode: number | undefined;
  description: string;
}

/** Builds a {@link TelegramApiError} whose message says how to fix the usual causes. */
export function telegramApiError(
  method: string,
  errorCode: number | undefined,
  description: string,
): TelegramApiError {
  const hint =
    errorCode === 401 || errorCode === 404
      ? " The bot token is wrong or revoked: pulumi config set --secret telegramBotToken <token from @BotFather>."
      : errorCode === 400 && method === "setWebhook"
        ? " Telegram rejected the webhook URL or options; check the API endpoint is public HTTPS."
        : errorCode === undefined
          ? " Check this machine can reach the Bot API (https://api.telegram.org) and run `pulumi up` again."
          : "";
  const error = new Error(
    `Telegram ${method} failed (${errorCode ?? "no response"}): ${description}.${hint}`,
  );
  return Object.assign(error, { name: "TelegramApiError" as const, method, errorCode, description });
}

/** True for errors made by {@link telegramApiError}. */
export function isTelegramApiError(error: unknown): error is TelegramApiError {
  return error instanceof Error && error.name === "TelegramApiError";
}

/**
 * Calls one Bot API method with a JSON body and returns `result`. The token never appears in errors: the URL
 * (which contains it) is not part of any message.
 */
export async function callBotApi<T = unknown>(
  apiRoot: string,
  token: string,
  method: string,
  body: unknown = {},
): Promise<T> {
  const send = () =>
    fetch(`${apiRoot.replace(/\/+$/, "")}/bot${token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  let response: Response;
  try {
    response = await send().catch((error: Error) => {
      // A kept-alive connection the server closed meanwhile fails at once with a TypeError: one fresh try.
      // Every method called here is idempotent (set, delete, get), so trying again cannot do anything twice.
      if (error.name !== "TypeError") throw error;
      return send();
    });
  } catch (error) {
    throw telegramApiError(method, undefined, `request failed: ${(error as Error).name}`);
  }
  let payload: { ok?: boolean; result?: T; description?: string; error_code?: number };
  try {
    payload = (await response.json()) as typeof payload;
  } catch {
    throw telegramApiError(method, response.status, "the answer was not JSON");
  }
  if (payload.ok !== true) {
    throw telegramApiError(
      method,
      payload.error_code ?? response.status,
      payload.description ?? "unknown error",
    );
  }
  return payload.result as T;
}

/** The bot id is the part of the token before the colon; a different id means a different bot. */
export function botIdOf(token: string): string {
  return token.split(":")[0] ?? "";
}

/** Inputs (and outputs) of {@link WebhookRegistration}, as its provider sees them (secrets in plain text). */
export interface WebhookRegistrationState {
  token: string;
  url: string;
  secretToken: string;
  allowedUpdates: string[];
  maxConnections: number;
  commands: CommandSet[];
  apiRoot: string;
}

async function applyRegistration(
  state: WebhookRegistrationState,
  previous?: WebhookRegistrationState,
): Promise<void> {
  await callBotApi(state.apiRoot, state.token, "setWebhook", {
    url: state.url,
    secret_token: state.secretToken,
    allowed_updates: state.allowedUpdates,
    max_connections: state.maxConnections,
  });
  for (const set of state.commands) {
    await callBotApi(state.apiRoot, state.token, "setMyCommands", {
      commands: set.commands,
      ...(set.languageCode === undefined ? {} : { language_code: set.languageCode }),
    });
  }
  // Languages dropped since the last deployment: remove their lists so users fall back to the default.
  const current = new Set(state.commands.map((set) => set.languageCode ?? ""));
  for (const set of previous?.commands ?? []) {
    if (current.has(set.languageCode ?? "")) continue;
    await callBotApi(state.apiRoot, state.token, "deleteMyCommands", {
      ...(set.languageCode === undefined ? {} : { language_code: set.languageCode }),
    });
  }
}

/** The part of `getWebhookInfo` the registration compares with what it set. */
interface WebhookInfo {
  /** Empty when no webhook is set (a `deleteWebhook`, or long polling started elsewhere). */
  url: string;
  max_connections?: number;
  allowed_updates?: string[];
}

/**
 * The registration as Telegram has it now, in the provider's state shape: what `pulumi refresh` records and
 * what `pulumi up` compares with the desired state. Telegram never returns the secret token, so it is kept.
 */
async function liveRegistration(state: WebhookRegistrationState): Promise<WebhookRegistrationState> {
  const info = await callBotApi<WebhookInfo>(state.apiRoot, state.token, "getWebhookInfo");
  return {
    ...state,
    url: info.url,
    ...(info.allowed_updates === undefined ? {} : { allowedUpdates: info.allowed_updates }),
    ...(info.max_connections === undefined ? {} : { maxConnections: info.max_connections }),
  };
}

/**
 * True when Telegram's live webhook differs from `wanted` (someone ran deleteWebhook, or `npm start` with the
 * production token switched the bot to long polling). A failed lookup is no evidence of drift: false.
 */
async function driftedFrom(wanted: WebhookRegistrationState): Promise<boolean> {
  try {
    const live = await liveRegistration(wanted);
    return (
      live.url !== wanted.url ||
      live.maxConnections !== wanted.maxConnections ||
      JSON.stringify([...live.allowedUpdates].sort()) !== JSON.stringify([...wanted.allowedUpdates].sort())
    );
  } catch {
    return false;
  }
}

const registrationFields = [
  "url",
  "secretToken",
  "allowedUpdates",
  "maxConnections",
  "commands",
  "apiRoot",
  "token",
] as const;

/** The dynamic provider behind {@link WebhookRegistration}; exported for tests against a fake Bot API. */
export const webhookRegistrationProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: WebhookRegistrationState) {
    await applyRegistration(inputs);
    return { id: `webhook-bot${botIdOf(inputs.token)}`, outs: inputs };
  },
  async diff(_id: string, olds: WebhookRegistrationState, news: WebhookRegistrationState) {
    const changed = registrationFields.filter(
      (field) => JSON.stringify(olds[field]) !== JSON.stringify(news[field]),
    );
    // Another bot: register the new one, then deleteWebhook on the old one (with the old token).
    const replaces = botIdOf(olds.token) === botIdOf(news.token) ? [] : ["token"];
    // Nothing changed here, but the webhook may have been changed behind the stack's back: set it again.
    const changes = changed.length > 0 || (await driftedFrom(news));
    return { changes, replaces };
  },
  async read(id: string, props: WebhookRegistrationState) {
    return { id, props: await liveRegistration(props) };
  },
  async update(_id: string, olds: WebhookRegistrationState, news: WebhookRegistrationState) {
    await applyRegistration(news, olds);
    return { outs: news };
  },
  async delete(_id: string, props: WebhookRegistrationState) {
    try {
      await callBotApi(props.apiRoot, props.token, "deleteWebhook", { drop_pending_updates: false });
      for (const set of props.commands) {
        await callBotApi(props.apiRoot, props.token, "deleteMyCommands", {
          ...(set.languageCode === undefined ? {} : { language_code: set.languageCode }),
        });
      }
    } catch (error) {
      // A revoked token has no webhook left to delete; do not block `pulumi destroy` on it.
      if (!isTelegramApiError(error) || (error.errorCode !== 401 && error.errorCode !== 404)) throw error;
    }
  },
};

/** Arguments of {@link WebhookRegistration}. */
export interface WebhookRegistrationArgs {
  token: pulumi.Input<string>;
  /** Public HTTPS URL of `POST /telegram/webhook`. */
  url: pulumi.Input<string>;
  secretToken: pulumi.Input<string>;
  allowedUpdates: pulumi.Input<readonly string[]>;
  maxConnections?: number;
  /** The command menus (contracts/commands.ts `botCommandsFrom` the content pack). */
  commands: CommandSet[];
  apiRoot?: string;
}

/** The bot's webhook and command menus, kept in step with the stack; removed on `pulumi destroy`. */
export class WebhookRegistration extends pulumi.dynamic.Resource {
  declare readonly url: pulumi.Output<string>;
  declare readonly allowedUpdates: pulumi.Output<string[]>;
  declare readonly maxConnections: pulumi.Output<number>;

  constructor(name: string, args: WebhookRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      webhookRegistrationProvider,
      name,
      {
        token: pulumi.secret(args.token),
        url: args.url,
        secretToken: pulumi.secret(args.secretToken),
        allowedUpdates: args.allowedUpdates,
        maxConnections: args.maxConnections ?? defaultMaxConnections,
        commands: args.commands,
        apiRoot: args.apiRoot ?? defaultTelegramApiRoot,
      },
      { ...opts, additionalSecretOutputs: ["token", "secretToken"] },
      "lambdagram",
      "WebhookRegistration",
    );
  }
}

/** Inputs and outputs of {@link TelegramBotInfo} as its provider sees them. */
export interface BotInfoState {
  token: string;
  apiRoot: string;
  /** JSON of `getMe`'s result (public: id, username, names, capabilities). */
  botInfo?: string;
}

/** The dynamic provider behind {@link TelegramBotInfo}; `pulumi refresh` re-reads a renamed bot. */
export const botInfoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: BotInfoState) {
    const me = await callBotApi<{ id: number }>(inputs.apiRoot, inputs.token, "getMe");
    return { id: `bot${me.id}`, outs: { ...inputs, botInfo: JSON.stringify(me) } };
  },
  async diff(_id: string, olds: BotInfoState, news: BotInfoState) {
    return { changes: olds.token !== news.token || olds.apiRoot !== news.apiRoot };
  },
  async update(_id: string, _olds: BotInfoState, news: BotInfoState) {
    const me = await callBotApi(news.apiRoot, news.token, "getMe");
    return { outs: { ...news, botInfo: JSON.stringify(me) } };
  },
  async read(id: string, props: BotInfoState) {
    const me = await callBotApi(props.apiRoot, props.token, "getMe");
    return { id, props: { ...props, botInfo: JSON.stringify(me) } };
  },
};

/** Arguments of {@link TelegramBotInfo}. */
export interface TelegramBotInfoArgs {
  token: pulumi.Input<string>;
  apiRoot?: string;
}

/** The bot's `getMe` result, fetched at deploy time and handed to the functions as `BOT_INFO`. */
export class TelegramBotInfo extends pulumi.dynamic.Resource {
  declare readonly botInfo: pulumi.Output<string>;

  constructor(name: string, args: TelegramBotInfoArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      botInfoProvider,
      name,
      {
        token: pulumi.secret(args.token),
        apiRoot: args.apiRoot ?? defaultTelegramApiRoot,
        botInfo: undefined,
      },
      { ...opts, additionalSecretOutputs: ["token"] },
      "lambdagram",
      "TelegramBotInfo",
    );
  }
}

/**
 * The Bot API side of the emulator: the method table (one module per method group), injected faults, the
 * calls log, and serving `/bot<token>/<method>` over HTTP with Telegram's answers (401 for a wrong token,
 * 404 for an unknown method, 413 for an oversized upload).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BotApiError, badRequest, forbidden, InvalidEmulatorInputError, tooManyRequests } from "./errors";
import { RequestBodyError, readRequestPayload } from "./http-body";
import { chatMethods } from "./methods/chat";
import { Described, type MethodContext, type MethodRunner } from "./methods/context";
import { messageMethods } from "./methods/messages";
import { updateMethods } from "./methods/updates";
import { BotApiParams } from "./params";
import type { BotApiResponse, FaultSpec } from "./types";

const maxUploadBytes = 50 * 1024 * 1024;
const unauthorized: BotApiResponse = { ok: false, error_code: 401, description: "Unauthorized" };
/** Telegram's answer to an unknown method or path. */
export const notFound: BotApiResponse = { ok: false, error_code: 404, description: "Not Found" };

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Runs Bot API methods by name, with faults and the calls log. */
export class BotApi {
  private readonly methods: Map<string, { name: string; run: MethodRunner }>;

  constructor(
    private readonly context: MethodContext,
    private readonly token: string,
  ) {
    const runners = {
      ...updateMethods(context),
      ...messageMethods(context),
      ...chatMethods(context),
    };
    this.methods = new Map(Object.entries(runners).map(([name, run]) => [name.toLowerCase(), { name, run }]));
  }

  /** Serves `POST|GET /bot<token>/<method>`. */
  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    method: string,
    query: URLSearchParams,
  ): Promise<void> {
    if (token !== this.token) {
      req.resume();
      this.context.state.recordCall({ method, params: {}, response: unauthorized });
      sendJson(res, 401, unauthorized);
      return;
    }
    let params: BotApiParams;
    try {
      params = new BotApiParams(await readRequestPayload(req, query, maxUploadBytes));
    } catch (error) {
      if (!(error instanceof RequestBodyError)) throw error;
      sendJson(res, error.status, { ok: false, error_code: error.status, description: error.message });
      return;
    }
    const cancelled = new AbortController();
    res.once("close", () => cancelled.abort());
    const outcome = await this.execute(method, params, cancelled.signal);
    if (outcome === "network") {
      req.socket.destroy();
      return;
    }
    if (!res.writableEnded && !res.destroyed) sendJson(res, outcome.ok ? 200 : outcome.error_code, outcome);
  }

  /** Runs a method (or the fault injected for it) and logs the call; "network" means: drop the connection. */
  async execute(
    requestedMethod: string,
    params: BotApiParams,
    cancelled: AbortSignal,
  ): Promise<BotApiResponse | "network"> {
    const { state } = this.context;
    const method = this.methods.get(requestedMethod.toLowerCase());
    if (!method) {
      state.recordCall({ method: requestedMethod, params: params.forLog(), response: notFound });
      return notFound;
    }
    const fault = this.takeFault(method.name, params);
    if (fault) {
      state.counters.faultsServed += 1;
      if (fault.response === "network") {
        state.recordCall({ method: method.name, params: params.forLog(), fault: fault.response });
        return "network";
      }
      const response = errorResponse(faultError(fault));
      state.recordCall({ method: method.name, params: params.forLog(), response, fault: fault.response });
      return response;
    }
    let response: BotApiResponse;
    try {
      const value = await method.run(params, cancelled);
      response =
        value instanceof Described
          ? { ok: true, result: value.result, description: value.description }
          : { ok: true, result: value };
    } catch (error) {
      if (error instanceof BotApiError) response = errorResponse(error);
      else {
        const message = error instanceof Error ? error.message : String(error);
        state.logger.error?.("Telegram emulator method failed", { method: method.name, error: message });
        response = { ok: false, error_code: 500, description: `Internal Server Error: ${message}` };
      }
    }
    state.recordCall({ method: method.name, params: params.forLog(), response });
    return response;
  }

  /** Checks and queues faults (see {@link FaultSpec}). */
  injectFaults(faults: FaultSpec[]): void {
    for (const fault of faults) {
      if (typeof fault.method !== "string" || fault.method === "") {
        throw new InvalidEmulatorInputError(
          'A fault needs the Bot API method it applies to, e.g. { method: "sendMessage" }.',
        );
      }
      if (![400, 429, 403, 500, 502, "network"].includes(fault.response)) {
        throw new InvalidEmulatorInputError(
          `Fault response ${JSON.stringify(fault.response)} is not one of 400, 429, 403, 500, 502, "network".`,
        );
      }
      const times = fault.times ?? 1;
      if (!Number.isInteger(times) || times < 1) {
        throw new InvalidEmulatorInputError(
          `Fault "times" must be a positive integer, got ${String(fault.times)}.`,
        );
      }
    }
    this.context.state.faults.push(...faults.map((fault) => ({ ...fault, times: fault.times ?? 1 })));
  }

  private takeFault(method: string, params: BotApiParams): (FaultSpec & { times: number }) | undefined {
    const { faults } = this.context.state;
    const chatId = params.string("chat_id");
    const index = faults.findIndex(
      (fault) =>
        fault.method.toLowerCase() === method.toLowerCase() &&
        (fault.chatId === undefined || String(fault.chatId) === chatId),
    );
    const fault = faults[index];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault;
  }
}

function errorResponse(error: BotApiError): BotApiResponse {
  return {
    ok: false,
    error_code: error.errorCode,
    description: error.description,
    ...(error.parameters ? { parameters: error.parameters } : {}),
  };
}

function faultError(fault: FaultSpec): BotApiError {
  switch (fault.response) {
    case 400:
      return badRequest(fault.detail ?? "can't parse entities: injected by the emulator");
    case 429:
      return tooManyRequests(fault.retryAfter ?? 1);
    case 403:
      return forbidden("bot was blocked by the user");
    case 500:
      return new BotApiError(500, "Internal Server Error");
    default:
      return new BotApiError(502, "Bad Gateway");
  }
}

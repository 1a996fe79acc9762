/**
 * The AWS JSON protocol, which DynamoDB, SSM and SQS all speak: one SigV4-signed `POST /` per operation, the
 * operation in `X-Amz-Target`, JSON in and out. The handlers use this instead of the SDK's generated clients
 * because those clients (middleware stack, endpoint rule engine, schema serde, credential chain) were ~60% of
 * the webhook bundle and most of its cold start (docs/benchmarks.md). The hard parts still come from the SDK's
 * own packages: SigV4 from `@smithy/signature-v4`, retry policy and error classification from
 * `@smithy/core/retry` (standard mode: jittered back-off and retry quota, attempts per service in
 * {@link awsServices}), SHA-256 from `@smithy/core/checksum`. What is left here is the HTTP exchange, the
 * error shape and the per-attempt timeout.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Sha256 } from "@smithy/core/checksum";
import {
  isServerError,
  isThrottlingError,
  isTransientError,
  StandardRetryStrategy,
} from "@smithy/core/retry";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";

/** Static credentials; on Lambda they are the function role's, from its environment. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What tells one JSON-protocol service from another. */
export interface AwsJsonService {
  /** SigV4 service name and endpoint prefix (`dynamodb`, `ssm`, `sqs`). */
  name: string;
  /** The `X-Amz-Target` prefix (`DynamoDB_20120810`, `AmazonSSM`, `AmazonSQS`). */
  targetPrefix: string;
  /** `application/x-amz-json-<version>`. */
  jsonVersion: "1.0" | "1.1";
  /** Attempts per operation, retries included, unless the client options say otherwise. */
  maxAttempts: number;
  /** Base of the jittered exponential back-off between retries (throttling uses the strategy's 1 s). */
  baseDelayMs: number;
  /** How long one attempt may wait for an answer, unless the client options say otherwise. */
  requestTimeoutMs: number;
}

/**
 * The services Lambdagram calls, with the SDK's retry defaults for each (DynamoDB: 4 attempts from 25 ms,
 * the others 3 from 50 ms) and attempt timeouts short enough that every retry of a webhook's call fits in
 * grammY's 8 s (DynamoDB answers single-item requests in milliseconds; 4 x 1.5 s plus back-off < 8 s).
 */
export const awsServices = {
  dynamodb: {
    name: "dynamodb",
    targetPrefix: "DynamoDB_20120810",
    jsonVersion: "1.0",
    maxAttempts: 4,
    baseDelayMs: 25,
    requestTimeoutMs: 1500,
  },
  ssm: {
    name: "ssm",
    targetPrefix: "AmazonSSM",
    jsonVersion: "1.1",
    maxAttempts: 3,
    baseDelayMs: 50,
    requestTimeoutMs: 2500,
  },
  sqs: {
    name: "sqs",
    targetPrefix: "AmazonSQS",
    jsonVersion: "1.0",
    maxAttempts: 3,
    baseDelayMs: 50,
    requestTimeoutMs: 2500,
  },
} as const satisfies Record<string, AwsJsonService>;

/** Where and as whom to call a service. */
export interface AwsClientOptions {
  region: string;
  credentials: AwsCredentials;
  /** Overrides `https://<service>.<region>.amazonaws.com` (dynalite, DynamoDB Local, a test endpoint). */
  endpoint?: string;
  /** HTTP attempts per operation, retries included (default: the service's, see {@link awsServices}). */
  maxAttempts?: number;
  /** Gives up on one attempt after this long without an answer (default: the service's); it is retried. */
  requestTimeoutMs?: number;
}

/** One operation as sent, for observers (request counters, timers). */
export interface OperationEvent {
  service: string;
  operation: string;
}

/** Hooks that watch a client's traffic without changing it. */
export interface AwsClientObserver {
  /** Once per operation, before its first attempt. */
  onOperation?(event: OperationEvent): void;
  /** Once per HTTP attempt, retries included. */
  onAttempt?(event: OperationEvent & { attempt: number }): void;
  /** When the operation settles (after its retries), with its duration. */
  onSettled?(event: OperationEvent & { durationMs: number; error?: unknown }): void;
}

/**
 * An error the service answered (after retries, for 5xx and throttling). A connection that kept failing
 * surfaces as Node's own error (`ECONNRESET`, `ECONNREFUSED`), an attempt without an answer as
 * {@link AwsRequestTimeoutError}. `name` is the service's short error code (`ConditionalCheckFailedException`,
 * `ResourceNotFoundException`, `ParameterNotFound`...), as the SDK names its exceptions, so code that checks
 * `error.name` works with either.
 */
export class AwsServiceError extends Error {
  /** HTTP status, request id and attempts made, like the SDK's `$metadata`. */
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
  /** `client` for 4xx (fix the request), `server` for 5xx (the service failed; already retried). */
  readonly $fault: "client" | "server";
  /**
   * The error document as the service sent it, e.g. `Item` for a refused condition that asked for it (in
   * DynamoDB JSON, not unmarshalled).
   */
  readonly details: Record<string, unknown>;

  constructor(
    name: string,
    message: string,
    metadata: { httpStatusCode?: number; requestId?: string; attempts: number },
    details: Record<string, unknown> = {},
  ) {
    super(message || `${name} (HTTP ${metadata.httpStatusCode})`);
    this.name = name;
    this.$metadata = metadata;
    this.$fault = (metadata.httpStatusCode ?? 500) >= 500 ? "server" : "client";
    this.details = details;
  }
}

/** Thrown when an attempt got no answer within `requestTimeoutMs`; retried like the SDK's `TimeoutError`. */
export class AwsRequestTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(service: string, operation: string, timeoutMs: number) {
    super(
      `${service} ${operation} got no answer within ${timeoutMs} ms; check the endpoint and network, or raise requestTimeoutMs.`,
    );
    this.name = "TimeoutError";
  }
}

/** The public endpoint of a service in a region (`.amazonaws.com.cn` in the China partition). */
export function defaultEndpoint(service: AwsJsonService, region: string): string {
  return `https://${service.name}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

/**
 * The service's error code from `x-amzn-errortype` or `__type` (`prefix#Code`, `Code:http://...`, or
 * `Code,Other`), sanitised like the SDK's protocol layer does.
 */
function errorCode(header: string | undefined, body: Record<string, unknown>): string {
  const raw = header || String(body.__type ?? body.code ?? "UnknownError");
  return raw.split(",")[0]?.split(":")[0]?.split("#").pop()?.trim() || "UnknownError";
}

interface RawResponse {
  statusCode: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/**
 * A client for one JSON-protocol service: `call("GetItem", input)` signs, sends, retries (throttling, 5xx,
 * timeouts, dropped connections) and returns the parsed answer, or throws {@link AwsServiceError}.
 */
export class AwsJsonClient {
  private readonly endpoint: URL;
  private readonly signer: SignatureV4;
  private readonly retryStrategy: StandardRetryStrategy;
  private readonly agent: HttpAgent;
  private readonly observers = new Set<AwsClientObserver>();
  private readonly requestTimeoutMs: number;

  constructor(
    readonly service: AwsJsonService,
    options: AwsClientOptions,
  ) {
    this.endpoint = new URL(options.endpoint ?? defaultEndpoint(service, options.region));
    this.signer = new SignatureV4({
      service: service.name,
      region: options.region,
      credentials: options.credentials,
      sha256: Sha256,
    });
    this.retryStrategy = new StandardRetryStrategy({
      maxAttempts: options.maxAttempts ?? service.maxAttempts,
      baseDelay: service.baseDelayMs,
    });
    this.requestTimeoutMs = options.requestTimeoutMs ?? service.requestTimeoutMs;
    // Keep-alive: a new TLS handshake per request would cost more than the request.
    this.agent =
      this.endpoint.protocol === "http:"
        ? new HttpAgent({ keepAlive: true, maxSockets: 50 })
        : new HttpsAgent({ keepAlive: true, maxSockets: 50 });
  }

  /** Watches this client's operations until the returned function is called. */
  observe(observer: AwsClientObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Closes idle keep-alive connections (tests and local servers that want to stop). */
  destroy(): void {
    this.agent.destroy();
  }

  /** Runs one operation with the standard retry policy. */
  async call<Output = Record<string, unknown>>(operation: string, input: object): Promise<Output> {
    const event = { service: this.service.name, operation };
    const started = performance.now();
    for (const observer of this.observers) observer.onOperation?.(event);
    const body = JSON.stringify(input, binaryAsBase64);
    let token = await this.retryStrategy.acquireInitialRetryToken(this.service.name);
    for (let attempt = 1; ; attempt++) {
      for (const observer of this.observers) observer.onAttempt?.({ ...event, attempt });
      try {
        const output = await this.attempt<Output>(operation, body, attempt);
        this.retryStrategy.recordSuccess(token);
        this.settle(event, started);
        return output;
      } catch (error) {
        const errorType = retryErrorType(error);
        try {
          if (errorType === undefined) throw error;
          // Waits the jittered back-off itself; throws when attempts or the retry quota are used up.
          token = await this.retryStrategy.refreshRetryTokenForRetry(token, { errorType });
        } catch {
          this.settle(event, started, error);
          throw error;
        }
      }
    }
  }

  private settle(event: OperationEvent, started: number, error?: unknown): void {
    const durationMs = performance.now() - started;
    for (const observer of this.observers)
      observer.onSettled?.({ ...event, durationMs, ...(error === undefined ? {} : { error }) });
  }

  private async attempt<Output>(operation: string, body: string, attempt: number): Promise<Output> {
    const request = new HttpRequest({
      method: "POST",
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      ...(this.endpoint.port ? { port: Number(this.endpoint.port) } : {}),
      path: this.endpoint.pathname,
      headers: {
        host: this.endpoint.host,
        "content-type": `application/x-amz-json-${this.service.jsonVersion}`,
        "x-amz-target": `${this.service.targetPrefix}.${operation}`,
        "content-length": String(Buffer.byteLength(body)),
      },
      body,
    });
    const signed = await this.signer.sign(request);
    const response = await this.send(operation, signed as HttpRequest, body);
    if (response.statusCode >= 200 && response.statusCode < 300)
      return parseOutput(this.service.name, operation, response) as Output;
    const parsed = parseErrorDocument(response.body);
    const requestId = headerValue(response.headers["x-amzn-requestid"]);
    throw new AwsServiceError(
      errorCode(headerValue(response.headers["x-amzn-errortype"]), parsed),
      String(parsed.message ?? parsed.Message ?? ""),
      { httpStatusCode: response.statusCode, ...(requestId ? { requestId } : {}), attempts: attempt },
      parsed,
    );
  }

  private send(operation: string, signed: HttpRequest, body: string): Promise<RawResponse> {
    const send = this.endpoint.protocol === "http:" ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        {
          agent: this.agent,
          method: "POST",
          protocol: this.endpoint.protocol,
          hostname: this.endpoint.hostname,
          port: this.endpoint.port || undefined,
          path: this.endpoint.pathname,
          headers: signed.headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () =>
            resolve({
              statusCode: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      request.setTimeout(this.requestTimeoutMs, () =>
        request.destroy(new AwsRequestTimeoutError(this.service.name, operation, this.requestTimeoutMs)),
      );
      request.on("error", reject);
      request.end(body);
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Thrown when a service answers 2xx with a body that is not its JSON (a proxy in the way, say): never "no item". */
export class AwsResponseParseError extends Error {
  constructor(service: string, operation: string, statusCode: number, body: string) {
    super(
      `${service} ${operation} answered HTTP ${statusCode} with a body that is not JSON (${JSON.stringify(body.slice(0, 200))}); ` +
        "check that the endpoint really is the AWS service (AWS_ENDPOINT_URL_*, DYNAMODB_ENDPOINT).",
    );
    this.name = "AwsResponseParseError";
  }
}

function parseOutput(service: string, operation: string, response: RawResponse): Record<string, unknown> {
  if (!response.body) return {};
  try {
    const value: unknown = JSON.parse(response.body);
    if (value !== null && typeof value === "object") return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AwsResponseParseError(service, operation, response.statusCode, response.body);
}

function parseErrorDocument(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    // A proxy's HTML error page, say: keep it as the message.
    return { message: text.slice(0, 500) };
  }
}

/**
 * The JSON protocols carry binary values (DynamoDB `B`/`BS`) as base64 strings. The replacer looks at the
 * original value (`this[key]`): a Buffer's own `toJSON` has already run by the time `value` arrives.
 */
function binaryAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return ArrayBuffer.isView(original)
    ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString("base64")
    : value;
}

/** How the standard retry strategy sees an error; `undefined` means do not retry. */
function retryErrorType(error: unknown): "THROTTLING" | "TRANSIENT" | "SERVER_ERROR" | undefined {
  // Not `instanceof Error`: errors from another realm (Node's own, seen from a vm context) must retry too.
  if (typeof error !== "object" || error === null) return undefined;
  const classified = error as Parameters<typeof isTransientError>[0];
  if (isThrottlingError(classified)) return "THROTTLING";
  if (isTransientError(classified)) return "TRANSIENT";
  if (isServerError(classified)) return "SERVER_ERROR";
  return undefined;
}

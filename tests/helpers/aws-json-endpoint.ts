/**
 * A loopback stand-in for an AWS JSON-protocol service (DynamoDB, SSM, SQS) for tests of the code that calls
 * SSM and SQS through the SDK's clients (secrets, the job queue). The endpoint checks what AWS checks: it
 * re-signs every request with SigV4 (`@smithy/signature-v4`, the signer the SDK uses) from the known test credentials, region and service and the request's own `x-amz-date`,
 * and compares the result with the request's `Authorization` header. A request that does not verify is
 * recorded with `signatureValid: false` and answered 403 `InvalidSignatureException`, as AWS would. Valid
 * requests are recorded (target, content type, parsed body, headers) and answered by the test's responder or
 * queued responses, which can also be slow (`delayMs`) or drop the connection (`destroySocket`).
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";

/** The credentials clients under test sign with; the endpoint verifies signatures with the same secret. */
export const testCredentials = {
  accessKeyId: "AKIDLAMBDAGRAMTEST",
  secretAccessKey: "lambdagram/test/secret+key",
} as const;

/** The region clients under test are configured with (and the endpoint verifies the signing scope against). */
export const testRegion = "eu-west-1";

/** One request as the endpoint received it. */
export interface RecordedRequest {
  /** `GetItem` from `X-Amz-Target: DynamoDB_20120810.GetItem`. */
  operation: string;
  /** `DynamoDB_20120810` from the same header. */
  targetPrefix: string;
  contentType: string | undefined;
  /** The JSON body, parsed (`undefined` when it is not JSON). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** Whether the SigV4 signature verified with {@link testCredentials}, the region and the service. */
  signatureValid: boolean;
}

/** How to answer one request (default: 200 with `{}`). */
export interface EndpointResponse {
  status?: number;
  /** Sent as JSON; a string is sent as it is (e.g. a proxy's HTML page). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Waits this long before answering (a slow or stuck service). */
  delayMs?: number;
  /** Closes the connection without answering (a dropped connection). */
  destroySocket?: boolean;
}

/** Answers a validly signed request. */
export type Responder = (request: RecordedRequest) => EndpointResponse | Promise<EndpointResponse>;

export interface AwsJsonEndpointOptions {
  /** SigV4 service name the requests must be signed for (`dynamodb`, `ssm`, `sqs`). */
  service: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Answers requests when no queued response is left (default: 200 `{}`). */
  responder?: Responder;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/** `20250101T080000Z` to a Date. */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
}

/**
 * Re-signs the request with the expected credentials, region and service, using only the headers it says it
 * signed and its own date, and compares the `Authorization` header. The payload hash is recomputed from the
 * body (never taken from the request's `x-amz-content-sha256`), so a changed body does not verify either.
 */
export async function verifySignature(
  request: { method: string; url: string; headers: IncomingHttpHeaders; body: Uint8Array },
  expected: {
    service: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  },
): Promise<boolean> {
  const authorization = single(request.headers.authorization);
  const amzDate = single(request.headers["x-amz-date"]);
  if (!authorization || !amzDate) return false;
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(authorization)?.[1]?.split(";");
  const signingDate = parseAmzDate(amzDate);
  if (!signedHeaders || !signingDate) return false;
  // AWS refuses a signature that does not cover these.
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    if (name === "x-amz-content-sha256") continue; // recomputed by the signer from the body
    const value = single(request.headers[name]);
    if (value === undefined) return false;
    headers[name] = value;
  }
  const sessionToken = single(request.headers["x-amz-security-token"]);
  const signer = new SignatureV4({
    service: expected.service,
    region: expected.region,
    credentials: { ...expected.credentials, ...(sessionToken ? { sessionToken } : {}) },
    sha256: Sha256,
    applyChecksum: signedHeaders.includes("x-amz-content-sha256"),
  });
  const url = new URL(request.url, "http://endpoint");
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: "http:",
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    }),
    { signingDate },
  );
  return resigned.headers.authorization === authorization;
}

/** See the module comment. `start()` listens on 127.0.0.1 on a free port; always `stop()` it. */
export class AwsJsonEndpoint {
  /** Every request received, in order (valid or not). */
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly queued: EndpointResponse[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private responder: Responder;
  private readonly expected: Parameters<typeof verifySignature>[1];
  private address = "";

  constructor(options: AwsJsonEndpointOptions) {
    this.expected = {
      service: options.service,
      region: options.region ?? testRegion,
      credentials: options.credentials ?? testCredentials,
    };
    this.responder = options.responder ?? (() => ({}));
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(JSON.stringify({ __type: "InternalFailure", message: String(error) }));
      });
    });
  }

  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    return this.address;
  }

  /** Answers the next requests with these, in order, before falling back to the responder. */
  enqueue(...responses: EndpointResponse[]): this {
    this.queued.push(...responses);
    return this;
  }

  /** Replaces the responder (queued responses still come first). */
  respondWith(responder: Responder): this {
    this.responder = responder;
    return this;
  }

  /** Forgets recorded requests and queued responses, and answers 200 `{}` again. */
  reset(): void {
    this.requests.length = 0;
    this.queued.length = 0;
    this.responder = () => ({});
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.address;
  }

  /** Drops pending answers and open connections, then closes; safe to call when not started. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const target = single(request.headers["x-amz-target"]) ?? "";
    const dot = target.indexOf(".");
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      operation: dot >= 0 ? target.slice(dot + 1) : "",
      targetPrefix: dot >= 0 ? target.slice(0, dot) : target,
      contentType: single(request.headers["content-type"]),
      body,
      headers: request.headers,
      signatureValid: await verifySignature(
        { method: request.method ?? "", url: request.url ?? "/", headers: request.headers, body: raw },
        this.expected,
      ),
    };
    this.requests.push(recorded);
    const answer: EndpointResponse = recorded.signatureValid
      ? (this.queued.shift() ?? (await this.responder(recorded)))
      : {
          status: 403,
          body: {
            __type: "InvalidSignatureException",
            message:
              "The request signature we calculated does not match the signature you provided. Check your AWS " +
              "Secret Access Key and signing method.",
          },
        };
    if (answer.delayMs) await this.sleep(answer.delayMs, response);
    if (response.destroyed) return; // the client gave up meanwhile
    if (answer.destroySocket) {
      request.socket.destroy();
      return;
    }
    const payload = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
    response.writeHead(answer.status ?? 200, {
      "content-type": recorded.contentType ?? "application/x-amz-json-1.0",
      "x-amzn-requestid": `test-request-${this.requests.length}`,
      ...answer.headers,
    });
    response.end(payload);
  }

  /** Waits, but no longer than the client's connection lasts (so a timed-out request leaves no timer). */
  private sleep(ms: number, response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        response.off("close", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      response.on("close", done);
    });
  }
}

/** Starts an endpoint for `service` (`dynamodb`, `ssm`, `sqs`); see {@link AwsJsonEndpoint}. */
export async function startAwsJsonEndpoint(options: AwsJsonEndpointOptions): Promise<AwsJsonEndpoint> {
  const endpoint = new AwsJsonEndpoint(options);
  await endpoint.start();
  return endpoint;
}

/**
 * Turns a Node HTTP request into the event API Gateway HTTP APIs send (payload format 2.0) and writes the
 * handler's result back, so the local stack invokes the very Lambda handlers the cloud does.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { apiGatewayPayloadLimit, BodyTooLargeError, readCapped, refuseTooLarge } from "./http/body";
import type { RouteTable } from "./http/routes";

/** A Lambda handler behind an HTTP API route. */
export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** How a route checks a request before its body is read (the webhook: its secret header). */
export interface HttpApiRoute {
  routeKey: string;
  handler: HttpHandler | undefined;
  /** The function's name, for the 501 of a route whose function is not built. */
  functionName: string;
  /**
   * Whether the request may send its body: false hands the handler the request without it, so the
   * handler answers as it answers a wrong secret (401) and nothing of an unauthenticated body is read.
   */
  admitBody?: (req: IncomingMessage) => boolean;
}

/**
 * Adds HTTP API routes to `table`: each reads the body with API Gateway's 10 MB cap (413 beyond it, after
 * `admitBody`) and invokes its Lambda handler with a payload-2.0 event.
 */
export function addHttpApiRoutes(
  table: RouteTable,
  apiRoutes: HttpApiRoute[],
  bodyLimit = apiGatewayPayloadLimit,
): void {
  for (const route of apiRoutes)
    table.add(route.routeKey, async ({ req, res, params }) => {
      const handler = route.handler;
      if (!handler) {
        req.resume();
        res
          .writeHead(501, { "content-type": "text/plain" })
          .end(`The ${route.functionName} function is not part of this build yet.`);
        return;
      }
      if (route.admitBody && !route.admitBody(req)) {
        req.resume();
        writeResult(res, await handler(toHttpApiEvent(req, Buffer.alloc(0), route.routeKey, params)));
        return;
      }
      let body: Buffer;
      try {
        body = await readCapped(req, bodyLimit);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        refuseTooLarge(res, { message: "Request Entity Too Large" });
        return;
      }
      writeResult(res, await handler(toHttpApiEvent(req, body, route.routeKey, params)));
    });
}

/** Builds a payload-2.0 event: lower-cased headers, raw path and query, path parameters, text body. */
export function toHttpApiEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  const now = new Date();
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString("utf8") : undefined,
    isBase64Encoded: false,
  };
}

/** Writes a handler result the way API Gateway does (a string result is a 200 JSON body). */
export function writeResult(
  res: ServerResponse,
  result: APIGatewayProxyStructuredResultV2 | string | undefined,
): void {
  if (typeof result === "string" || result === undefined) {
    res.writeHead(200, { "content-type": "application/json" }).end(result ?? "");
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  const body =
    result.body === undefined
      ? ""
      : result.isBase64Encoded
        ? Buffer.from(result.body, "base64")
        : result.body;
  res.writeHead(result.statusCode ?? 200, headers).end(body);
}

/**
 * Turns a Node HTTP request into the event API Gateway HTTP APIs send (payload format 2.0) and writes the
 * handler's result back, so the local stack invokes the very Lambda handlers the cloud does.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** A route template such as `GET /admin/broadcasts/{id}` matched against a method and path. */
export function matchRoute(
  routeKey: string,
  method: string,
  path: string,
): Record<string, string> | undefined {
  const [routeMethod, template = ""] = routeKey.split(" ");
  if (routeMethod !== method) return undefined;
  const names: string[] = [];
  const pattern = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const match = path.match(new RegExp(`^${pattern}$`));
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]));
}

/** Reads the whole request body (bounded, as API Gateway bounds payloads at 10 MB). */
export async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("Request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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

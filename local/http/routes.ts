/**
 * One small route table for every HTTP surface of the local stack (the HTTP API routes, the web chat, the
 * emulator's Bot API and control API): routes are `METHOD /path/{param}` templates, the same notation as
 * API Gateway route keys in contracts/runtime.ts, and the table that matches them also prints the help a 404
 * answers with, so the list of routes can never drift from the routes served.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** What a route handler gets: the request, the response, the parsed URL and the template's parameters. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** Serves one matched request; may be async. */
export type RouteHandler = (request: RouteRequest) => unknown;

interface CompiledRoute<H> {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  handler: H;
  usage: string | undefined;
}

/** A route found for a request, with its decoded path parameters. */
export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
  template: string;
}

/**
 * Routes in the order they were added; the first template that matches method and path wins. `H` is the
 * handler type (a {@link RouteHandler} unless a surface passes its handlers more, e.g. a parsed body).
 */
export class RouteTable<H = RouteHandler> {
  private readonly routes: CompiledRoute<H>[] = [];

  /**
   * Adds `routeKey` (`"GET /users/{id}"`, or `"ANY /path"` for every method) served by `handler`; `usage`
   * (e.g. the body it takes) is shown in {@link help}.
   */
  add(routeKey: string, handler: H, usage?: string): this {
    const [method = "", template = ""] = routeKey.trim().split(/\s+/);
    const names: string[] = [];
    const source = template
      .split(/(\{\w+\})/)
      .map((piece) => {
        const name = /^\{(\w+)\}$/.exec(piece)?.[1];
        if (name === undefined) return piece.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        names.push(name);
        return "([^/]+)";
      })
      .join("");
    this.routes.push({
      method: method.toUpperCase(),
      template,
      pattern: new RegExp(`^${source}$`),
      names,
      handler,
      usage,
    });
    return this;
  }

  /** The route serving `method` and `path` (a trailing slash is ignored), if any. */
  match(method: string, path: string): RouteMatch<H> | undefined {
    const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
    for (const route of this.routes) {
      if (route.method !== "ANY" && route.method !== method.toUpperCase()) continue;
      const found = route.pattern.exec(trimmed);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? "");
      });
      return { handler: route.handler, params, template: route.template };
    }
    return undefined;
  }

  /** One line per route, `METHOD /template usage`, for 404 answers and docs. */
  help(): string[] {
    return this.routes.map((route) =>
      [route.method.padEnd(6), route.template, route.usage ?? ""].join(" ").trimEnd(),
    );
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Serves the request from `table` if a route matches; resolves false (touching nothing) otherwise. */
export async function serveRoute(
  table: RouteTable<RouteHandler>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const found = table.match(req.method ?? "GET", url.pathname);
  if (!found) return false;
  await found.handler({ req, res, url, params: found.params });
  return true;
}

/**
 * Same-origin guard for the routes only the web chat should call (`/_emulator/*`, `/web-config.json`,
 * `/_local/*`): a request from a browser must come from the page's own origin, and every request must name
 * the stack's own host in `Host`. That stops another web site from driving the emulator (cross-site requests
 * carry their `Origin`) and from reading the admin token through a DNS name rebound to 127.0.0.1 (the
 * browser then sends the attacker's name as `Host`). Tools such as curl send no `Origin` and pass.
 */
import type { IncomingMessage } from "node:http";

const loopbackNames = ["127.0.0.1", "localhost", "[::1]"];

/** The `Host` values that name a server at `baseUrl`: its own, and the loopback aliases on the same port. */
export function ownHosts(baseUrl: string): Set<string> {
  const url = new URL(baseUrl);
  const hosts = new Set([url.host]);
  if (loopbackNames.includes(url.hostname)) {
    const port = url.port ? `:${url.port}` : "";
    for (const name of loopbackNames) hosts.add(`${name}${port}`);
  }
  return hosts;
}

/** Why the request is refused, or undefined when it comes from the stack's own page or a tool. */
export function foreignRequest(req: IncomingMessage, hosts: ReadonlySet<string>): string | undefined {
  const host = (req.headers.host ?? "").toLowerCase();
  if (!hosts.has(host))
    return `Host "${host}" is not this server (${[...hosts][0]}); open the web chat at its own address.`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      const parsed = new URL(origin);
      originHost = parsed.protocol === "http:" ? parsed.host.toLowerCase() : undefined;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || !hosts.has(originHost))
      return `Origin "${origin}" may not call this route; only the web chat served here may.`;
  }
  if (req.headers["sec-fetch-site"] === "cross-site") return "Cross-site requests may not call this route.";
  return undefined;
}

/** Shared fixtures of the emulator tests: a fake clock, a throwaway HTTP server, a grammY bot on the emulator. */

import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Bot } from "grammy";
import type { TelegramEmulator } from "../../local/telegram/emulator";

/** A clock the test moves by hand, so rate windows pass without sleeping. */
export function fakeClock(startMs = Date.UTC(2025, 0, 1, 12, 0, 0)) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

/** A loopback HTTP server for webhook targets; `close()` also drops keep-alive connections. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A grammY bot pointed at the emulator, unmodified apart from `client.apiRoot`. */
export function botOn(emulator: TelegramEmulator): Bot {
  return new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot }, botInfo: emulator.botInfo });
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

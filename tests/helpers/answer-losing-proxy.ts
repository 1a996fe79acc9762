/**
 * A proxy in front of a local AWS endpoint (dynalite) that forwards every request but can drop the
 * connection instead of relaying one answer: the request takes effect and the client never hears of it, as
 * after a timeout or a reset on AWS. The client's own retry of the same request is then the one that answers,
 * which is how a conditional write can be refused by its own first attempt.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Which request to lose the answer to: its operation (`PutItem`, `UpdateItem`...) and its JSON body as text. */
export type AnswerMatcher = (operation: string, body: string) => boolean;

/** A running proxy; `stop()` it in afterAll. */
export interface AnswerLosingProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at the endpoint. */
  endpoint: string;
  /** Loses the answer to the next request that matches (once per call). */
  loseNextAnswer(match: AnswerMatcher): void;
  /** Answers lost so far (tests check the fault really happened). */
  lost(): number;
  stop(): Promise<void>;
}

/** Starts the proxy on a free loopback port in front of `upstream`. */
export async function startAnswerLosingProxy(upstream: string): Promise<AnswerLosingProxy> {
  const armed: AnswerMatcher[] = [];
  let lost = 0;
  const target = new URL(upstream);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(incoming.headers["x-amz-target"] ?? "")
          .split(".")
          .pop() ?? "";
      const matcher = armed.findIndex((match) => match(operation, body.toString("utf8")));
      if (matcher >= 0) armed.splice(matcher, 1);
      const forwarded = httpRequest(
        {
          hostname: target.hostname,
          port: target.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          if (matcher >= 0) {
            lost += 1;
            answer.resume();
            answer.on("end", () => incoming.socket.destroy());
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on("error", () => incoming.socket.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    loseNextAnswer: (match) => {
      armed.push(match);
    },
    lost: () => lost,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Request bodies with a cap: the declared `content-length` is checked before a byte is read, and the stream
 * is stopped as soon as it passes the cap, so an oversized body costs neither memory nor time and is answered
 * 413 (as API Gateway answers payloads over its 10 MB limit).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** API Gateway HTTP APIs refuse payloads over 10 MB. */
export const apiGatewayPayloadLimit = 10 * 1024 * 1024;

/** The body is larger than the route accepts; answer 413. */
export class BodyTooLargeError extends Error {
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`Request Entity Too Large: this route accepts bodies up to ${limit} bytes.`);
    this.name = "BodyTooLargeError";
  }
}

/** Whether the declared length already exceeds `limit` (so the body need not be read at all). */
export function declaresMoreThan(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers["content-length"]);
  return Number.isFinite(declared) && declared > limit;
}

/** Reads the whole body; rejects with {@link BodyTooLargeError} at the first byte past `limit`. */
export function readCapped(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaresMoreThan(req, limit)) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume(); // drain without keeping anything, so the 413 can still be written
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      if (size <= limit) resolve(Buffer.concat(chunks));
    });
    req.once("error", reject);
  });
}

/**
 * Answers 413 and closes the connection, so a client still sending a huge body is not read to its end.
 * `body` is the JSON answer.
 */
export function refuseTooLarge(res: ServerResponse, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(413, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    connection: "close",
  });
  res.end(text);
}

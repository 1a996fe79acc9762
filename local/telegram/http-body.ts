/**
 * Reading Bot API request bodies the three ways Telegram accepts them: JSON (what grammY sends for plain
 * calls), `application/x-www-form-urlencoded` and `multipart/form-data` (what grammY sends with an
 * `InputFile`). Query-string parameters are merged in, as Telegram does.
 *
 * Multipart goes through busboy, streamed with a size cap. Node 20's built-in parser
 * (`new Response(body).formData()`) refuses what grammY sends and Telegram accepts (`content-disposition:`
 * without a space, unquoted file names), so it cannot serve here.
 */

import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { BodyTooLargeError, declaresMoreThan, readCapped } from "../http/body";

/** A file part of a multipart request. */
export interface UploadedFile {
  /** The part's form field name (grammY uses a random id and points at it with `attach://<id>`). */
  fieldName: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A request's parameters: plain fields (strings, or JSON values for JSON bodies) and uploaded files. */
export interface RequestPayload {
  fields: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

/** The body could not be read or parsed; `status` is the HTTP status to answer with. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RequestBodyError";
  }
}

/** Reads a request's parameters, refusing bodies over `maxBytes` with a 413 {@link RequestBodyError}. */
export async function readRequestPayload(
  req: IncomingMessage,
  query: URLSearchParams,
  maxBytes: number,
): Promise<RequestPayload> {
  const fields: Record<string, unknown> = Object.fromEntries(query);
  const contentType = req.headers["content-type"] ?? "";
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (declaresMoreThan(req, maxBytes)) {
    req.resume();
    throw new RequestBodyError(413, "Request Entity Too Large");
  }
  if (type === "multipart/form-data") return readMultipart(req, fields, maxBytes);
  let body: Buffer;
  try {
    body = await readCapped(req, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new RequestBodyError(413, "Request Entity Too Large");
    throw error;
  }
  const files = new Map<string, UploadedFile>();
  if (body.length === 0) return { fields, files };
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new RequestBodyError(400, "Bad Request: can't parse JSON request body");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new RequestBodyError(400, "Bad Request: JSON request body must be an object");
    }
    Object.assign(fields, parsed);
  } else {
    // Telegram treats anything else as a URL-encoded form, which is also what curl -d sends.
    Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  }
  return { fields, files };
}

function readMultipart(
  req: IncomingMessage,
  fields: Record<string, unknown>,
  maxBytes: number,
): Promise<RequestPayload> {
  const files = new Map<string, UploadedFile>();
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes, fieldSize: maxBytes } });
    } catch {
      req.resume();
      reject(new RequestBodyError(400, "Bad Request: multipart body without boundary"));
      return;
    }
    let failed = false;
    const fail = (error: RequestBodyError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) fail(new RequestBodyError(413, "Request Entity Too Large"));
    });
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => fail(new RequestBodyError(413, "Request Entity Too Large")));
      stream.on("end", () => {
        files.set(name, {
          fieldName: name,
          filename: info.filename ?? name,
          contentType: info.mimeType || "application/octet-stream",
          data: Buffer.concat(chunks),
        });
      });
    });
    parser.on("error", (error: Error) => fail(new RequestBodyError(400, `Bad Request: ${error.message}`)));
    parser.on("close", () => {
      if (!failed) resolve({ fields, files });
    });
    req.pipe(parser);
  });
}

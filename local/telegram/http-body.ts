/**
 * Reading Bot API request bodies the three ways Telegram accepts them: JSON (what grammY sends for plain
 * calls), `application/x-www-form-urlencoded` and `multipart/form-data` (what grammY sends with an
 * `InputFile`). Query-string parameters are merged in, as Telegram does. No dependency beyond node built-ins.
 */

import type { IncomingMessage } from "node:http";

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

/** Reads the whole body, refusing more than `maxBytes` (Telegram accepts uploads up to 50 MB from bots). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.once("end", () => {
      if (tooLarge) reject(new RequestBodyError(413, "Request Entity Too Large"));
      else resolve(Buffer.concat(chunks));
    });
    req.once("error", reject);
  });
}

/** Parses a body by its content type and merges the query string under it. */
export function parseRequestPayload(
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
): RequestPayload {
  const fields: Record<string, unknown> = Object.fromEntries(query);
  const files = new Map<string, UploadedFile>();
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
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
  } else if (type === "multipart/form-data") {
    const boundary = headerParameters(contentType ?? "").boundary;
    if (!boundary) throw new RequestBodyError(400, "Bad Request: multipart body without boundary");
    for (const part of multipartParts(body, boundary)) {
      if (part.filename === undefined) fields[part.name] = part.data.toString("utf8");
      else {
        files.set(part.name, {
          fieldName: part.name,
          filename: part.filename,
          contentType: part.contentType,
          data: part.data,
        });
      }
    }
  } else {
    // Telegram treats anything else as a URL-encoded form, which is also what curl -d sends.
    Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  }
  return { fields, files };
}

interface MultipartPart {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

function* multipartParts(body: Buffer, boundary: string): Generator<MultipartPart> {
  const delimiter = Buffer.from(`--${boundary}`);
  // Every delimiter after the first is preceded by CRLF, which belongs to the delimiter, not to the data.
  const innerDelimiter = Buffer.from(`\r\n--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    let partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") return;
    if (body[partStart] === 0x0d && body[partStart + 1] === 0x0a) partStart += 2;
    const partEnd = body.indexOf(innerDelimiter, partStart);
    if (partEnd === -1) return;
    const part = body.subarray(partStart, partEnd);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = parseHeaders(part.subarray(0, headerEnd).toString("utf8"));
      const disposition = headerParameters(headers["content-disposition"] ?? "");
      if (disposition.name !== undefined) {
        yield {
          name: disposition.name,
          filename: disposition.filename,
          contentType: headers["content-type"] ?? "application/octet-stream",
          data: part.subarray(headerEnd + 4),
        };
      }
    }
    start = partEnd + 2;
  }
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** `form-data; name="x"; filename=y` → `{ name: "x", filename: "y" }` (grammY leaves file names unquoted). */
function headerParameters(value: string): Record<string, string | undefined> {
  const parameters: Record<string, string | undefined> = {};
  for (const piece of value.split(";").slice(1)) {
    const equals = piece.indexOf("=");
    if (equals === -1) continue;
    const key = piece.slice(0, equals).trim().toLowerCase();
    let raw = piece.slice(equals + 1).trim();
    if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) raw = raw.slice(1, -1);
    parameters[key] = raw;
  }
  return parameters;
}

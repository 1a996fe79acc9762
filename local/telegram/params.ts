/**
 * Typed access to Bot API parameters however they arrived: JSON values, or strings from a form (where objects
 * such as `reply_markup` are JSON text and numbers are decimal text). Malformed values become Telegram's
 * 400 answers.
 */

import { badRequest } from "./errors";
import type { RequestPayload, UploadedFile } from "./http-body";

/** A file parameter: an upload in the request, or a string naming a known file_id or an HTTP URL. */
export type FileParam = { kind: "upload"; file: UploadedFile } | { kind: "reference"; value: string };

/** One request's parameters. */
export class BotApiParams {
  constructor(readonly payload: RequestPayload) {}

  /** Builds parameters from a plain object, for calls that do not come over HTTP. */
  static of(fields: Record<string, unknown>): BotApiParams {
    return new BotApiParams({ fields, files: new Map() });
  }

  /** True if the parameter was given (null counts as absent, as in Telegram). */
  has(name: string): boolean {
    const value = this.payload.fields[name];
    return value !== undefined && value !== null;
  }

  /** The fields for the calls log, with uploads summarised instead of their bytes. */
  forLog(): Record<string, unknown> {
    const logged: Record<string, unknown> = { ...this.payload.fields };
    for (const file of this.payload.files.values()) {
      logged[`upload:${file.fieldName}`] = { filename: file.filename, size: file.data.length };
    }
    return logged;
  }

  string(name: string): string | undefined {
    const value = this.payload.fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
  }

  /** An integer; a value that is not one answers `Bad Request: <invalidDetail>`. */
  integer(name: string, invalidDetail = `invalid ${name} specified`): number | undefined {
    const value = this.payload.fields[name];
    if (value === undefined || value === null || value === "") return undefined;
    const number =
      typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(number)) throw badRequest(invalidDetail);
    return number;
  }

  boolean(name: string): boolean {
    const value = this.payload.fields[name];
    return value === true || value === "true" || value === "True" || value === 1 || value === "1";
  }

  /** A JSON object or array parameter; unparsable text answers `Bad Request: can't parse <what> JSON object`. */
  json<T>(name: string, what: string): T | undefined {
    const value = this.payload.fields[name];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      throw badRequest(`can't parse ${what} JSON object`);
    }
  }

  /** An array of strings such as `allowed_updates`. */
  stringList(name: string): string[] | undefined {
    const list = this.json<unknown>(name, name);
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
      throw badRequest(`can't parse ${name} JSON array`);
    }
    return list as string[];
  }

  /** A file: a direct upload under this name, an `attach://<id>` upload, or a file_id / URL string. */
  file(name: string): FileParam | undefined {
    const direct = this.payload.files.get(name);
    if (direct) return { kind: "upload", file: direct };
    const value = this.string(name);
    if (value === undefined || value === "") return undefined;
    if (value.startsWith("attach://")) {
      const attached = this.payload.files.get(value.slice("attach://".length));
      if (!attached) throw badRequest(`wrong file identifier/HTTP URL specified`);
      return { kind: "upload", file: attached };
    }
    return { kind: "reference", value };
  }
}

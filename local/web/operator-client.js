/**
 * The operator view's one client of the admin API: bearer token from `/web-config.json`, JSON in and out, and
 * every answer sorted into what a panel draws: `ok` (data), `missing` (the feature is not part of this build:
 * the route is not served, 404 from the stack's route table or the admin router, or 501) or `error` (a
 * readable reason). Panels never look at status codes themselves.
 */
import { h, reason, request, state } from "./core.js";

/**
 * @typedef {{ state: "ok", status: number, data: any }
 *   | { state: "missing", status: number, path: string }
 *   | { state: "error", status: number, message: string }} AdminAnswer
 */

/** True when an answer means "this build has no such route", not "no such item". */
export function routeMissing(answer) {
  if (answer.status === 501) return true;
  if (answer.status !== 404) return false;
  // The stack's route table answers plain text; the admin router answers "No admin route ...".
  if (answer.data === null) return true;
  return /No admin route/i.test(reason(answer));
}

/** Sends one admin API request; resolves with an {@link AdminAnswer}, never throws. */
export async function admin(method, path, body) {
  try {
    const answer = await request(method, path, body, { authorization: `Bearer ${state.adminApiToken}` });
    if (answer.ok) return { state: "ok", status: answer.status, data: answer.data };
    if (routeMissing(answer)) return { state: "missing", status: answer.status, path };
    if (answer.status === 401 || answer.status === 403)
      return {
        state: "error",
        status: answer.status,
        message: `the admin API refused the token (${answer.status})`,
      };
    return { state: "error", status: answer.status, message: reason(answer) };
  } catch (error) {
    return { state: "error", status: 0, message: `the local stack is unreachable (${error.message})` };
  }
}

/**
 * Downloads a CSV export as one file: fetched with the token (a plain link cannot send it), following
 * `x-next-cursor` when the server split a large export into parts (each part repeats the header, kept once),
 * then handed to the browser as a blob under the server's file name, or `fallbackName`. Resolves with an
 * {@link AdminAnswer} whose data is `{ rows, parts }`.
 */
export async function downloadCsv(path, fallbackName) {
  const texts = [];
  let rows = 0;
  let fileName = fallbackName;
  let cursor;
  try {
    do {
      const url = cursor
        ? `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`
        : path;
      const response = await fetch(url, {
        headers: { accept: "text/csv", authorization: `Bearer ${state.adminApiToken}` },
      });
      const text = await response.text();
      if (!response.ok) {
        let data = null;
        try {
          data = JSON.parse(text);
        } catch {}
        const answer = { status: response.status, data, text };
        if (routeMissing(answer)) return { state: "missing", status: response.status, path };
        return { state: "error", status: response.status, message: reason(answer) };
      }
      const disposition = response.headers.get("content-disposition") ?? "";
      const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
      if (named && texts.length === 0) fileName = decodeURIComponent(named);
      // Later parts repeat the header line (and the BOM): keep the first part's only.
      texts.push(texts.length === 0 ? text : text.replace(/^\uFEFF?[^\r\n]*\r?\n/, ""));
      rows += Number(response.headers.get("x-response-count") ?? 0) || 0;
      cursor = response.headers.get("x-next-cursor") ?? undefined;
    } while (cursor && texts.length < 1000);
  } catch (error) {
    return { state: "error", status: 0, message: `the local stack is unreachable (${error.message})` };
  }
  const blob = new Blob(texts, { type: "text/csv;charset=utf-8" });
  const link = h("a", { href: URL.createObjectURL(blob), download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return { state: "ok", status: 200, data: { rows, parts: texts.length } };
}

/** The friendly "not available yet" note a panel shows when its feature is not in this build. */
export function notYet(headline, answer) {
  return h(
    "div",
    { class: "notice op-not-yet" },
    h("strong", {}, headline),
    ` The local stack has no ${answer.path.split("?")[0]} (HTTP ${answer.status}); this panel works as soon as the feature is part of the build.`,
  );
}

/** An error note with the reason and a way to try again. */
export function failed(what, answer, retry) {
  return h(
    "div",
    { class: "op-error", role: "alert" },
    h("p", { class: "form-error" }, `Could not load ${what}: ${answer.message}.`),
    retry ? h("button", { type: "button", class: "button", onclick: retry }, "Try again") : null,
  );
}

/** A number for people: 1,234 (or "–" when the API left it out). */
export function formatCount(value) {
  const number = Number(value);
  return value === undefined || value === null || !Number.isFinite(number)
    ? "–"
    : number.toLocaleString("en");
}

/** A share 0..1 (or 0..100) as a percentage. */
export function formatShare(value) {
  const number = Number(value);
  if (value === undefined || value === null || !Number.isFinite(number)) return "–";
  const percent = number <= 1 ? number * 100 : number;
  return `${percent.toFixed(percent < 10 && percent !== 0 ? 1 : 0)}%`;
}

/** The admin broadcast panel: the form, and the job's progress and failure reason. */
import { $, finishedStatuses, h, reason, request, state } from "./core.js";

// ------------------------------------------------------------------------------------------ broadcasts

export function setupBroadcastForm() {
  const form = /** @type {HTMLFormElement} */ ($("broadcast-form"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = /** @type {HTMLTextAreaElement} */ ($("broadcast-text")).value;
    if (text.trim() === "") {
      showBroadcast([h("p", { class: "form-error" }, "Write the message to broadcast first.")]);
      $("broadcast-text").focus();
      return;
    }
    const parseMode = /** @type {HTMLSelectElement} */ ($("broadcast-parse-mode")).value;
    const other = /** @type {HTMLInputElement} */ ($("broadcast-other-languages")).value
      .split(/[\s,]+/)
      .filter(Boolean);
    const ticked = [...form.querySelectorAll("input[name=languages]:checked")].map((box) => box.value);
    const languages = [...new Set([...ticked, ...other])];
    const body = {
      text,
      ...(parseMode ? { parseMode } : {}),
      ...(languages.length > 0 ? { audience: { languages } } : {}),
    };
    clearTimeout(state.broadcastTimer);
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    showBroadcast([h("p", {}, "Sending…")]);
    try {
      const answer = await request("POST", "/admin/broadcasts", body, {
        authorization: `Bearer ${state.adminApiToken}`,
      });
      if (answer.status === 501) return showNotYet();
      if (answer.status === 401 || answer.status === 403) {
        return showBroadcast([
          h("p", { class: "form-error" }, `The admin API refused the token (${answer.status}).`),
        ]);
      }
      if (!answer.ok || typeof answer.data?.id !== "string") {
        return showBroadcast([
          h("p", { class: "form-error" }, `The broadcast was not accepted: ${reason(answer)}`),
        ]);
      }
      renderProgress({ ...answer.data, status: answer.data.status ?? "queued" });
      followBroadcast(answer.data.id);
    } catch (error) {
      showBroadcast([h("p", { class: "form-error" }, `The admin API is unreachable: ${error.message}`)]);
    } finally {
      submit.disabled = false;
      $("broadcast-status").scrollIntoView({ block: "nearest" });
    }
  });
}

export function showBroadcast(children) {
  $("broadcast-status").replaceChildren(...children);
}

export function showNotYet() {
  showBroadcast([
    h(
      "p",
      { class: "notice" },
      h("strong", {}, "Broadcasts arrive in a later version."),
      " The admin API answered 501 Not Implemented; this panel will work as soon as it is part of the build.",
    ),
  ]);
}

export async function followBroadcast(id) {
  clearTimeout(state.broadcastTimer);
  try {
    const answer = await request("GET", `/admin/broadcasts/${encodeURIComponent(id)}`, undefined, {
      authorization: `Bearer ${state.adminApiToken}`,
    });
    if (answer.status === 501) return showNotYet();
    if (!answer.ok) throw new Error(reason(answer));
    renderProgress(answer.data);
    if (isFinished(answer.data)) return;
  } catch (error) {
    showBroadcast([
      h("p", { class: "form-error" }, `Lost track of broadcast ${id}: ${error.message}. Retrying…`),
    ]);
  }
  state.broadcastTimer = setTimeout(() => followBroadcast(id), 1000);
}

export function isFinished(progress) {
  const status = String(progress.status ?? "").toLowerCase();
  if (finishedStatuses.has(status)) return true;
  return (
    progress.remaining === 0 &&
    Number(progress.total) > 0 &&
    !["queued", "pending", "running", "sending"].includes(status)
  );
}

export function renderProgress(progress) {
  const count = (value) => (Number.isFinite(Number(value)) ? Number(value) : 0);
  const total = count(progress.total);
  const handled = count(progress.sent) + count(progress.blocked) + count(progress.failed);
  const finished = isFinished(progress);
  const eta = count(progress.etaSeconds);
  const status = String(progress.status ?? "queued").toLowerCase();
  const failedJob = status === "failed";
  showBroadcast([
    h(
      "p",
      { class: "progress-title" },
      h("span", {}, `Broadcast ${progress.id}`),
      h(
        "span",
        { class: `status-pill status-${failedJob ? "failed" : finished ? "done" : "running"}` },
        String(progress.status ?? "queued"),
      ),
    ),
    h(
      "progress",
      {
        max: String(Math.max(total, 1)),
        value: String(total === 0 ? (finished ? 1 : 0) : handled),
        "aria-label": "Broadcast progress",
      },
      `${handled} of ${total}`,
    ),
    h(
      "dl",
      { class: "progress-numbers" },
      ...[
        ["Sent", count(progress.sent)],
        ["Blocked", count(progress.blocked)],
        ["Failed", count(progress.failed)],
        ["Remaining", count(progress.remaining)],
        ["Total", total],
      ].map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, String(value)))),
    ),
    h(
      "p",
      { class: "hint" },
      progress.ratePerSecond ? `${progress.ratePerSecond} messages/s` : "",
      !finished && eta > 0
        ? ` · about ${eta < 90 ? `${Math.ceil(eta)} s` : `${Math.ceil(eta / 60)} min`} left`
        : "",
      finished ? "Finished." : "",
    ),
    // Why the job stopped (the admin API's `error`, e.g. Telegram rejecting the text), in the admin's words.
    progress.error
      ? h("p", { class: "form-error", role: "alert" }, `${failedJob ? "Failed" : "Note"}: ${progress.error}`)
      : "",
  ]);
}

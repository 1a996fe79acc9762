/**
 * The inbox panel: what the bot could not answer (`GET /admin/inbox?status=&limit=&cursor=`), most frequent
 * first, each entry with buttons to label it (`POST /admin/inbox/{id}` {label}): one of its top intents,
 * another intent from the content, out of scope, or dismissed. A labelled entry leaves the "New" list and
 * focus moves to the next one, so an operator can work through the inbox from the keyboard.
 */
import { h, state } from "./core.js";
import { admin, failed, formatCount, formatShare, notYet } from "./operator-client.js";

const pageSize = 20;

const statusNames = { new: "new", labelled: "labelled", outOfScope: "out of scope", dismissed: "dismissed" };

function intentTitle(id) {
  return state.config.intents?.find((intent) => intent.id === id)?.title ?? id;
}

/** What a label is called in messages: the intent's title, or out of scope / dismissed. */
function labelName(label) {
  if (label === "outOfScope") return "out of scope";
  if (label === "dismissed") return "dismissed";
  return intentTitle(label);
}

/** Wires the inbox card; returns its loader. */
export function setupInbox(section) {
  const body = section.querySelector(".op-body");
  const announce = section.querySelector(".op-announce");
  const filter = /** @type {HTMLSelectElement} */ (section.querySelector("#inbox-status"));
  const list = h("ol", { class: "inbox-list", "aria-label": "Inbox entries" });
  const more = h("button", { type: "button", class: "button inbox-more", hidden: true }, "Load more");
  const empty = h("p", { class: "hint inbox-empty", hidden: true });
  let cursor;
  let loading = 0;

  const page = async (append) => {
    const ticket = ++loading;
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (filter.value) query.set("status", filter.value);
    if (append && cursor) query.set("cursor", cursor);
    const path = `/admin/inbox?${query}`;
    more.disabled = true;
    const answer = await admin("GET", path);
    if (ticket !== loading) return;
    more.disabled = false;
    if (answer.state === "missing")
      return body.replaceChildren(notYet("The inbox is not available yet.", answer));
    if (answer.state === "error") return body.replaceChildren(failed("the inbox", answer, () => page(false)));
    const found = answer.data?.items ?? answer.data?.entries;
    const items = Array.isArray(found) ? found : [];
    cursor = typeof answer.data?.cursor === "string" && answer.data.cursor ? answer.data.cursor : undefined;
    if (!append) list.replaceChildren();
    for (const item of items) list.append(entry(item));
    more.hidden = !cursor;
    showEmpty();
    if (!body.contains(list)) body.replaceChildren(empty, list, more);
  };

  const showEmpty = () => {
    empty.hidden = list.children.length > 0;
    empty.textContent =
      filter.value === "new" ? "Nothing new: the bot answered everything it was asked." : "No entries here.";
  };

  /** One entry with its labelling buttons. */
  const entry = (item) => {
    const text = String(item.text ?? "");
    const candidates = Array.isArray(item.candidates) ? item.candidates.slice(0, 3) : [];
    const titleId = `inbox-text-${item.id}`;
    const intents = state.config.intents ?? [];
    const pickId = `inbox-pick-${item.id}`;
    const pick = h(
      "select",
      { id: pickId, class: "inbox-pick" },
      h("option", { value: "" }, "Another intent…"),
      intents.map((intent) => h("option", { value: intent.id }, `${intent.title} (${intent.id})`)),
    );
    const status = String(item.status ?? "new");
    const label = item.label ?? item.intent;
    const row = h(
      "li",
      { class: "inbox-item", "data-id": item.id, "aria-labelledby": titleId },
      h("p", { class: "inbox-text", id: titleId, lang: item.language || undefined }, text),
      h(
        "p",
        { class: "inbox-meta" },
        h("span", { class: "inbox-count", title: "times asked" }, `×${formatCount(item.count ?? 1)}`),
        item.language ? h("span", {}, item.language) : null,
        item.tier ? h("span", {}, item.tier) : null,
        originsOf(item).map((origin) => h("span", {}, originName(origin))),
        item.lastSeen
          ? h("span", {}, h("time", { datetime: item.lastSeen }, `last ${when(item.lastSeen)}`))
          : null,
        status !== "new"
          ? h(
              "span",
              { class: "status-pill" },
              label
                ? `${statusNames[status] ?? status}: ${labelName(label)}`
                : (statusNames[status] ?? status),
            )
          : null,
      ),
      item.answeredIntent
        ? h("p", { class: "inbox-answer" }, `👎 on the answer of ${intentTitle(item.answeredIntent)}`)
        : null,
      h(
        "div",
        { class: "inbox-actions", role: "group", "aria-label": `Label “${text}”` },
        candidates.map((candidate) =>
          h(
            "button",
            {
              type: "button",
              class: "button inbox-intent",
              onclick: (event) => label_(item, candidate.intent, event.currentTarget),
            },
            intentTitle(candidate.intent),
            candidate.confidence !== undefined
              ? h("span", { class: "inbox-confidence" }, ` ${formatShare(candidate.confidence)}`)
              : null,
          ),
        ),
        intents.length > 0
          ? h(
              "span",
              { class: "inbox-other" },
              h("label", { for: pickId, class: "visually-hidden" }, `Another intent for “${text}”`),
              pick,
              h(
                "button",
                {
                  type: "button",
                  class: "button",
                  onclick: (event) => {
                    if (!pick.value) return pick.focus();
                    label_(item, pick.value, event.currentTarget);
                  },
                },
                "Assign",
              ),
            )
          : null,
        h(
          "button",
          {
            type: "button",
            class: "button",
            onclick: (event) => label_(item, "outOfScope", event.currentTarget),
          },
          "Out of scope",
        ),
        h(
          "button",
          {
            type: "button",
            class: "button subtle",
            onclick: (event) => label_(item, "dismissed", event.currentTarget),
          },
          "Dismiss",
        ),
      ),
      h("p", { class: "form-error", role: "alert" }),
    );
    return row;
  };

  /** Labels an entry; in a filtered list it leaves, and focus goes to the next entry's first button. */
  const label_ = async (item, label, button) => {
    // A listing still on its way was read before this label: drawing it would bring the entry back.
    loading++;
    more.disabled = false;
    const row = button.closest(".inbox-item");
    const error = row.querySelector(".form-error");
    const buttons = row.querySelectorAll("button, select");
    for (const control of buttons) control.disabled = true;
    error.textContent = "";
    const answer = await admin("POST", `/admin/inbox/${encodeURIComponent(item.id)}`, { label });
    for (const control of buttons) control.disabled = false;
    if (answer.state !== "ok") {
      error.textContent =
        answer.state === "missing"
          ? "Labelling is not available yet in this build."
          : `Not labelled: ${answer.message}.`;
      return;
    }
    announce.textContent = `“${item.text}” labelled ${labelName(label)}.`;
    const updated =
      answer.data && typeof answer.data === "object" && answer.data.id
        ? answer.data
        : { ...item, status: statusFor(label), label };
    if (filter.value && filter.value !== (updated.status ?? statusFor(label))) {
      const next = row.nextElementSibling ?? row.previousElementSibling;
      row.remove();
      showEmpty();
      (next?.querySelector("button") ?? filter).focus();
    } else {
      const fresh = entry(updated);
      row.replaceWith(fresh);
      fresh.querySelector("button")?.focus();
    }
  };

  filter.addEventListener("change", () => page(false));
  more.addEventListener("click", () => page(true));
  section.querySelector(".op-refresh").addEventListener("click", () => page(false));
  return { load: () => page(false), follow: true, section };
}

/** The status an entry has after `label`. */
function statusFor(label) {
  return label === "outOfScope" || label === "dismissed" ? label : "labelled";
}

/** The entry's origins (`origins`, or one `origin`). */
function originsOf(item) {
  if (Array.isArray(item.origins)) return item.origins;
  return item.origin ? [item.origin] : [];
}

/** "14:05" today, or "Dec 3, 14:05" on another day. */
function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return date.toDateString() === new Date().toDateString()
    ? time
    : `${date.toLocaleDateString("en", { month: "short", day: "numeric" })}, ${time}`;
}

/** Where an entry came from, in words. */
function originName(origin) {
  return (
    {
      declined: "declined",
      outOfScope: "declined",
      noneOfThese: "“none of these”",
      thumbsDown: "👎 on an answer",
      feedback: "👎 on an answer",
    }[origin] ?? origin
  );
}

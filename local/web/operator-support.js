/**
 * The support group as a chat pane: the staff group "Ask a person" hands users to (SUPPORT_CHAT_ID; the local
 * stack makes one with a staff member, local/support-group.ts, and names both in `/web-config.json` as
 * `support: {chatId, staffUserId}`). Staff write through the emulator's control API (`POST
 * /_emulator/users/{staffUserId}/messages` with `chat_id` and `reply_to_message_id`). The bot's handoff messages show
 * on the left, staff messages on the right; "Reply" on a message makes the next message a Telegram reply to
 * it, which is how staff answer a user. The pane follows the group live through the page's event feed.
 */
import { eventListeners, h, reason, request, state } from "./core.js";
import { richText, version } from "./messages.js";

/** The group and the staff member the page plays, or undefined when this build has no support group. */
function support() {
  const config = state.config.support;
  if (!config || !Number.isSafeInteger(config.chatId)) return undefined;
  return config;
}

/** Wires the support card; returns its loader. */
export function setupSupport(section) {
  const body = section.querySelector(".op-body");
  const messages = new Map();
  const log = h("ol", { class: "messages" });
  const region = h(
    "div",
    {
      class: "log support-log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Messages in the support group",
      tabindex: "0",
    },
    log,
  );
  const replyNote = h("p", { class: "support-replying", hidden: true });
  const input = h("textarea", {
    id: "support-reply",
    rows: "2",
    class: "composer-input",
    autocomplete: "off",
    "aria-describedby": "support-hint",
  });
  const send = h("button", { type: "submit", class: "button primary" }, "Send");
  const error = h("p", { class: "form-error", role: "alert" });
  let replyTo;
  /** The group the log shows; live messages of it are drawn even while its history is being read. */
  let shownChat;

  const setReplyTo = (entry) => {
    replyTo = entry;
    replyNote.hidden = !entry;
    replyNote.replaceChildren();
    if (!entry) return;
    replyNote.append(
      h("span", {}, "Replying to: ", h("q", {}, excerpt(entry.text))),
      h(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": "Cancel the reply",
          onclick: () => {
            setReplyTo(undefined);
            input.focus();
          },
        },
        "×",
      ),
    );
    input.focus();
  };

  const composer = h(
    "form",
    {
      class: "support-composer",
      onsubmit: (event) => {
        event.preventDefault();
        submit();
      },
    },
    replyNote,
    h("label", { for: "support-reply" }, "Reply as staff"),
    h("div", { class: "support-row" }, input, send),
    h(
      "p",
      { class: "hint", id: "support-hint" },
      "Press Reply on the bot's message to answer that user. Enter sends; /close ends the thread.",
    ),
    error,
  );
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape" && replyTo) setReplyTo(undefined);
  });

  const render = (entry) => {
    const known = messages.get(entry.messageId);
    if (known && version(known) > version(entry)) return;
    messages.set(entry.messageId, entry);
    const existing = log.querySelector(`[data-message-id="${entry.messageId}"]`);
    if (entry.deleted) return existing?.remove();
    const element = groupMessage(entry, messages, setReplyTo);
    if (existing) existing.replaceWith(element);
    else {
      // In message order, whether it came with the history or live, first or second.
      const later = [...log.children].find((item) => Number(item.dataset.messageId) > entry.messageId);
      log.insertBefore(element, later ?? null);
    }
    region.scrollTop = region.scrollHeight;
  };

  const submit = async () => {
    const group = support();
    const text = input.value;
    if (!group || text.trim() === "") return;
    error.textContent = "";
    send.disabled = true;
    try {
      const answer = await postStaffMessage(group, text, replyTo?.messageId);
      if (!answer.ok) throw new Error(reason(answer));
      input.value = "";
      setReplyTo(undefined);
    } catch (failure) {
      error.textContent = `Not sent: ${failure.message}`;
    } finally {
      send.disabled = false;
    }
  };

  eventListeners.add((event) => {
    const group = support();
    if (!group || event.chatId !== group.chatId || !["message", "edit", "delete"].includes(event.type))
      return;
    if (shownChat === group.chatId) render(event.entry);
  });

  const load = async () => {
    const group = support();
    if (!group) {
      body.replaceChildren(
        h(
          "div",
          { class: "notice op-not-yet" },
          h("strong", {}, "The support group is not available yet."),
          " This build of the local stack has no staff group (SUPPORT_CHAT_ID); this pane works as soon as human handoff is part of it.",
        ),
      );
      return;
    }
    if (shownChat !== group.chatId) {
      messages.clear();
      log.replaceChildren();
      shownChat = group.chatId;
    }
    const answer = await request("GET", `/_emulator/chats/${group.chatId}/messages`).catch((failure) => ({
      ok: false,
      status: 0,
      data: null,
      text: failure.message,
    }));
    if (!answer.ok) {
      body.replaceChildren(
        h(
          "p",
          { class: "form-error", role: "alert" },
          `Could not load the support group: ${reason(answer)}.`,
        ),
      );
      return;
    }
    const title = h("p", { class: "support-title" }, `You write as ${staffName(group)}.`);
    body.replaceChildren(title, region, composer);
    for (const entry of answer.data.messages ?? []) render(entry);
  };

  section.querySelector(".op-refresh").addEventListener("click", load);
  return { load, section };
}

/** The staff member writes in the group, as a reply to `replyToMessageId` when given. */
function postStaffMessage(group, text, replyToMessageId) {
  const staffId = group.staffUserId ?? group.staff?.id;
  return request("POST", `/_emulator/users/${staffId}/messages`, {
    text,
    chat_id: group.chatId,
    ...(replyToMessageId ? { reply_to_message_id: replyToMessageId } : {}),
  });
}

/** The staff member's name, as the emulator's user list has it. */
function staffName(group) {
  const staff = state.users.get(group.staffUserId ?? group.staff?.id);
  return staff?.user.first_name ?? group.staff?.first_name ?? "staff";
}

function excerpt(text) {
  const flat = String(text ?? "")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

/** One message of the group: bot on the left, people (staff) on the right with their name. */
function groupMessage(entry, messages, setReplyTo) {
  const fromBot = entry.sender === "bot";
  const author = fromBot ? "Bot" : (entry.message?.from?.first_name ?? "Staff");
  const quoted = entry.replyToMessageId ? messages.get(entry.replyToMessageId) : undefined;
  const time = new Date(entry.date * 1000);
  return h(
    "li",
    { class: `msg ${fromBot ? "bot" : "user"}`, "data-message-id": entry.messageId },
    h(
      "div",
      { class: "bubble" },
      h("span", { class: "support-author" }, `${author}`, h("span", { class: "visually-hidden" }, ": ")),
      quoted
        ? h(
            "span",
            { class: "support-quote" },
            h("span", { class: "visually-hidden" }, "In reply to: "),
            excerpt(quoted.text),
          )
        : null,
      entry.text
        ? h("div", { class: "text" }, richText(entry.text, entry.entities ?? [], entry.chatId, false))
        : null,
      h(
        "span",
        { class: "meta" },
        h(
          "time",
          { datetime: time.toISOString() },
          time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
        ),
      ),
    ),
    h(
      "button",
      {
        type: "button",
        class: "support-reply-button",
        onclick: () => setReplyTo(entry),
        "aria-label": `Reply to ${author}: ${excerpt(entry.text)}`,
      },
      "Reply",
    ),
  );
}

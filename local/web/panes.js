/** Chat panes: opening and closing them, the composer, buttons, the commands menu. */
import { $, h, reason, request, state, storageKey } from "./core.js";
import { isNearEnd, renderReplyKeyboard, scrollToEnd, updateStart, upsertEntry } from "./messages.js";
import { avatarHue, blockedSwitch, displayName, initial, renderUserList } from "./users.js";

// ------------------------------------------------------------------------------------------ chat panes

export function saveOpenPanes() {
  try {
    localStorage.setItem(storageKey, JSON.stringify([...state.panes.keys()]));
  } catch {
    // Private mode or storage off: the panes simply do not come back after a reload.
  }
}

export function savedOpenPanes() {
  try {
    const ids = JSON.parse(localStorage.getItem(storageKey) ?? "[]");
    return Array.isArray(ids) ? ids.filter((id) => Number.isSafeInteger(id)) : [];
  } catch {
    return [];
  }
}

/** Opens (or focuses) the chat pane of a user and loads its history. */
export async function openPane(userId, options = {}) {
  const known = state.users.get(userId);
  if (!known) return;
  let pane = state.panes.get(userId);
  if (!pane) {
    pane = createPane(known.user);
    state.panes.set(userId, pane);
    state.chats.set(userId, {
      messages: new Map(),
      replyKeyboard: undefined,
      keyboardChanged: false,
      loaded: false,
    });
    known.unread = 0;
    $("panes").append(pane.root);
    $("chats-empty").hidden = true;
    saveOpenPanes();
    renderUserList();
    updatePaneHeader(userId);
    await loadHistory(userId);
  }
  pane.root.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  if (options.focus === "start" && !pane.start.hidden) pane.start.querySelector("button")?.focus();
  else if (options.focus) pane.input.focus();
}

export function closePane(userId) {
  const pane = state.panes.get(userId);
  if (!pane) return;
  clearTimeout(pane.typingTimer);
  pane.root.remove();
  state.panes.delete(userId);
  state.chats.delete(userId);
  $("chats-empty").hidden = state.panes.size > 0;
  saveOpenPanes();
  renderUserList();
  document.querySelector(`#user-list [data-key="open:${userId}"]`)?.focus();
}

export async function loadHistory(userId) {
  const pane = state.panes.get(userId);
  try {
    const answer = await request("GET", `/_emulator/chats/${userId}/messages`);
    if (!answer.ok) throw new Error(reason(answer));
    const chat = state.chats.get(userId);
    if (!chat) return;
    for (const entry of answer.data.messages) upsertEntry(userId, entry);
    if (!chat.keyboardChanged) chat.replyKeyboard = answer.data.replyKeyboard;
    chat.loaded = true;
    renderReplyKeyboard(userId);
    updateStart(userId);
    scrollToEnd(pane);
  } catch (error) {
    notify(userId, `Could not load the chat: ${error.message}`, "error");
  }
}

export function createPane(user) {
  const id = user.id;
  const name = displayName(user);
  const titleId = `pane-title-${id}`;
  const inputId = `composer-${id}`;
  const log = h("ol", { class: "messages" });
  const logRegion = h(
    "div",
    {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-label": `Messages with the bot as ${name}`,
      tabindex: "0",
    },
    log,
  );
  const start = h(
    "div",
    { class: "start", hidden: true },
    h("p", {}, "A new chat. Say hello to the bot:"),
    h(
      "button",
      { type: "button", class: "button primary start-button", onclick: () => sendText(id, "/start") },
      "/start",
    ),
  );
  const toast = h("div", { class: "toast", role: "status", "aria-live": "polite" });
  const keyboard = h("div", {
    class: "reply-keyboard",
    role: "group",
    "aria-label": "Reply keyboard",
    hidden: true,
  });
  const input = h("textarea", {
    id: inputId,
    rows: "1",
    class: "composer-input",
    placeholder: "Message",
    autocomplete: "off",
    "aria-describedby": `composer-hint-${id}`,
  });
  const send = h("button", { type: "submit", class: "button primary send" }, "Send");
  const commands = h("ul", { class: "commands-list" });
  const menu = h(
    "details",
    { class: "commands" },
    h("summary", { class: "button" }, "Menu", h("span", { class: "visually-hidden" }, " of bot commands")),
    h("div", { class: "commands-popover" }, commands),
  );
  menu.addEventListener("toggle", () => {
    if (menu.open) loadCommands(id, commands);
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  const composer = h(
    "form",
    {
      class: "composer",
      onsubmit: (event) => {
        event.preventDefault();
        submitComposer(id);
      },
    },
    menu,
    h("label", { for: inputId, class: "visually-hidden" }, `Message to the bot as ${name}`),
    input,
    send,
  );
  const blockedNote = h(
    "p",
    { class: "blocked-note", hidden: true },
    `${name} has blocked the bot. Unblock it to write again.`,
  );
  const header = h(
    "header",
    { class: "pane-header" },
    h("span", { class: "avatar", style: { "--hue": avatarHue(id) }, "aria-hidden": "true" }, initial(user)),
    h(
      "div",
      { class: "pane-title" },
      h("h3", { id: titleId }, name),
      h(
        "p",
        { class: "pane-sub" },
        h("span", { class: "pane-meta" }),
        h("span", { class: "typing", hidden: true }, "bot is typing…"),
      ),
    ),
    h("span", { class: "pane-switch" }),
    h(
      "button",
      {
        type: "button",
        class: "icon-button",
        "aria-label": `Close the chat with ${name}`,
        onclick: () => closePane(id),
      },
      "×",
    ),
  );
  const root = h(
    "section",
    { class: "pane", "aria-label": `Chat with ${name}`, "data-user-id": id },
    header,
    logRegion,
    start,
    toast,
    keyboard,
    blockedNote,
    composer,
    h("p", { class: "visually-hidden", id: `composer-hint-${id}` }, "Enter sends, Shift+Enter adds a line."),
  );
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitComposer(id);
    }
  });
  input.addEventListener("input", () => autoGrow(input));
  const pane = {
    root,
    header,
    log,
    logRegion,
    start,
    toast,
    keyboard,
    input,
    send,
    blockedNote,
    typingTimer: 0,
    toastTimer: 0,
    atEnd: true,
  };
  // Stay at the newest message while it is in view, also when the pane narrows and the messages grow taller.
  logRegion.addEventListener("scroll", () => {
    pane.atEnd = isNearEnd(pane);
  });
  new ResizeObserver(() => {
    if (pane.atEnd) scrollToEnd(pane);
  }).observe(log);
  return pane;
}

export function autoGrow(input) {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

export function updatePaneHeader(userId) {
  const pane = state.panes.get(userId);
  const known = state.users.get(userId);
  if (!pane || !known) return;
  const { user, blocked } = known;
  pane.header.querySelector(".pane-meta").textContent =
    `#${user.id} · ${user.language_code || "no language"}`;
  const holder = pane.header.querySelector(".pane-switch");
  const existing = holder.querySelector("input");
  if (existing) existing.checked = blocked;
  else holder.append(blockedSwitch(user, blocked, `pane:${user.id}`));
  pane.root.classList.toggle("is-blocked", blocked);
  pane.blockedNote.hidden = !blocked;
  pane.input.disabled = blocked;
  pane.send.disabled = blocked;
  const buttons =
    ".inline-keyboard button:not(.unsupported), .reply-keyboard button, .start button, .command-link";
  for (const button of pane.root.querySelectorAll(buttons)) {
    button.disabled = blocked;
  }
}

/** Sends what the message box holds and empties it at once; puts the text back if sending fails. */
export async function submitComposer(userId) {
  const pane = state.panes.get(userId);
  if (!pane) return;
  const text = pane.input.value;
  if (text.trim() === "") return;
  pane.input.value = "";
  autoGrow(pane.input);
  const sent = await sendText(userId, text);
  if (!sent && pane.input.value === "") {
    pane.input.value = text;
    autoGrow(pane.input);
  }
}

/** The user writes `text`; their message shows up through the event feed, like on Telegram. */
export async function sendText(userId, text) {
  try {
    const answer = await request("POST", `/_emulator/users/${userId}/messages`, { text });
    if (!answer.ok) throw new Error(reason(answer));
    return true;
  } catch (error) {
    notify(userId, `Not sent: ${error.message}`, "error");
    return false;
  }
}

/** Shows a pressed button as busy until the bot answers (Telegram shows a spinner), at most 4 s. */
export function setPending(button, pending) {
  button.classList.toggle("is-pending", pending);
  if (pending) button.setAttribute("aria-busy", "true");
  else button.removeAttribute("aria-busy");
}

export function clearPending(userId) {
  const pane = state.panes.get(userId);
  for (const button of pane?.log.querySelectorAll(".is-pending") ?? []) setPending(button, false);
}

export async function pressInlineButton(userId, messageId, data, button) {
  setPending(button, true);
  setTimeout(() => setPending(button, false), 4000);
  try {
    const answer = await request("POST", `/_emulator/users/${userId}/callback`, {
      message_id: messageId,
      data,
    });
    if (!answer.ok) throw new Error(reason(answer));
  } catch (error) {
    setPending(button, false);
    notify(userId, `Button not pressed: ${error.message}`, "error");
  }
}

export async function pressReplyButton(userId, text) {
  const chat = state.chats.get(userId);
  try {
    const answer = await request("POST", `/_emulator/users/${userId}/reply-button`, { text });
    if (!answer.ok) throw new Error(reason(answer));
    if (chat?.replyKeyboard?.one_time_keyboard) {
      chat.replyKeyboard = undefined;
      chat.keyboardChanged = true;
      renderReplyKeyboard(userId);
      state.panes.get(userId)?.input.focus();
    }
  } catch (error) {
    notify(userId, `Not sent: ${error.message}`, "error");
  }
}

export async function loadCommands(userId, list) {
  const known = state.users.get(userId);
  list.replaceChildren(h("li", { class: "hint" }, "Loading…"));
  const language = encodeURIComponent(known?.user.language_code ?? "");
  const answer = await request("GET", `/_emulator/chats/${userId}/commands?language_code=${language}`).catch(
    () => null,
  );
  const commands = answer?.ok ? answer.data.commands : [];
  const shown = commands.length > 0 ? commands : [{ command: "start", description: "Start the bot" }];
  list.replaceChildren(
    ...shown.map((command) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "command",
            onclick: (event) => {
              event.currentTarget.closest("details").open = false;
              sendText(userId, `/${command.command}`);
              state.panes.get(userId)?.input.focus();
            },
          },
          h("span", { class: "command-name" }, `/${command.command}`),
          h("span", { class: "command-description" }, command.description ?? ""),
        ),
      ),
    ),
  );
}

/** A short note at the bottom of a pane (callback answers, errors). */
export function notify(userId, text, kind = "info") {
  const pane = state.panes.get(userId);
  if (!pane) {
    if (kind === "error") $("new-user-error").textContent = text;
    return;
  }
  clearTimeout(pane.toastTimer);
  pane.toast.textContent = text;
  pane.toast.dataset.kind = kind;
  pane.toast.classList.add("is-visible");
  pane.toastTimer = setTimeout(
    () => pane.toast.classList.remove("is-visible"),
    kind === "alert" ? 8000 : 4000,
  );
}

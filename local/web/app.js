/**
 * The web chat of the local stack: plain browser JavaScript, no build step, same origin only.
 *
 * It plays Telegram for simulated users through the emulator's control API (`/_emulator/...`): creates users,
 * sends their texts and button presses, blocks and unblocks the bot, and long-polls `/_emulator/events` to
 * show the bot's messages and edits live. The admin panel talks to the admin API with the bearer token from
 * `/web-config.json`. Everything the bot writes is put in the page as text nodes, never as HTML.
 */

(() => {
  const storageKey = "lambdagram.openChats";
  const finishedStatuses = new Set([
    "done",
    "completed",
    "complete",
    "finished",
    "failed",
    "cancelled",
    "canceled",
  ]);

  /** Everything the page knows; the DOM is drawn from it. */
  const state = {
    /** @type {Map<number, {user: {id: number, first_name: string, last_name?: string, username?: string, language_code: string}, blocked: boolean, unread: number}>} */
    users: new Map(),
    /** Chats of open panes: messages by id, the reply keyboard, whether the history arrived. */
    chats: new Map(),
    /** Open panes by user id. */
    panes: new Map(),
    seq: 0,
    started: false,
    adminApiToken: "",
    broadcastTimer: 0,
  };

  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** Creates an element with attributes and children (strings become text nodes). */
  function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") element.className = String(value);
      else if (name === "style" && typeof value === "object") {
        // Through the CSSOM: the page's CSP forbids inline style attributes.
        for (const [property, setting] of Object.entries(value))
          element.style.setProperty(property, String(setting));
      } else if (name.startsWith("on") && typeof value === "function")
        element.addEventListener(name.slice(2), value);
      else if (value === true) element.setAttribute(name, "");
      else element.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  // ------------------------------------------------------------------------------------------ HTTP

  /** A JSON request to the same origin; never throws for HTTP errors, only for a dead connection. */
  async function request(method, path, body, headers = {}) {
    const response = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    return { status: response.status, ok: response.ok, data, text };
  }

  /** A readable reason out of an error answer. */
  function reason(answer) {
    const data = answer.data;
    if (data && typeof data === "object") {
      if (typeof data.message === "string") return data.message;
      if (typeof data.description === "string") return data.description;
      if (typeof data.error === "string") return data.error;
    }
    return answer.text?.trim() || `HTTP ${answer.status}`;
  }

  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ------------------------------------------------------------------------------------------ users

  function displayName(user) {
    return [user.first_name, user.last_name].filter(Boolean).join(" ") || `User ${user.id}`;
  }

  function initial(user) {
    return Array.from(displayName(user))[0]?.toUpperCase() ?? "?";
  }

  /** A stable colour per user id, dark enough for white text. */
  function avatarHue(id) {
    // With 50% saturation and 30% lightness (style.css) every hue keeps white text above 4.5:1.
    return (Number(id) * 47) % 360;
  }

  function rememberUser(user, blocked) {
    const known = state.users.get(user.id);
    state.users.set(user.id, { user, blocked: Boolean(blocked), unread: known?.unread ?? 0 });
  }

  async function loadUsers() {
    const answer = await request("GET", "/_emulator/users");
    if (!answer.ok) throw new Error(reason(answer));
    for (const entry of answer.data.users) {
      const { blocked, ...user } = entry;
      rememberUser(user, blocked);
    }
    renderUserList();
  }

  function renderUserList() {
    const list = $("user-list");
    const users = [...state.users.values()];
    $("no-users").hidden = users.length > 0;
    const focusKey = document.activeElement?.closest?.("#user-list")
      ? document.activeElement.dataset.key
      : undefined;
    list.replaceChildren(
      ...users.map(({ user, blocked, unread }) => {
        const name = displayName(user);
        const open = state.panes.has(user.id);
        return h(
          "li",
          { class: `user-row${open ? " is-open" : ""}` },
          h(
            "button",
            {
              type: "button",
              class: "user-open",
              "data-key": `open:${user.id}`,
              "aria-describedby": `user-meta-${user.id}`,
              onclick: () => openPane(user.id, { focus: "composer" }),
            },
            h(
              "span",
              { class: "avatar", style: { "--hue": avatarHue(user.id) }, "aria-hidden": "true" },
              initial(user),
            ),
            h("span", { class: "user-name" }, name),
            open ? h("span", { class: "visually-hidden" }, " (open)") : null,
            unread > 0
              ? h("span", { class: "unread" }, h("span", { class: "visually-hidden" }, ", unread: "), unread)
              : null,
          ),
          h(
            "span",
            { class: "user-meta", id: `user-meta-${user.id}` },
            `#${user.id} · ${user.language_code || "no language"}${user.username ? ` · @${user.username}` : ""}`,
          ),
          blockedSwitch(user, blocked, `list:${user.id}`),
        );
      }),
    );
    if (focusKey) list.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  /** The "Blocked" switch of a user (in the list and in the chat header). */
  function blockedSwitch(user, blocked, key) {
    const input = h("input", {
      type: "checkbox",
      role: "switch",
      "data-key": `blocked:${key}`,
      checked: blocked,
      onchange: (event) => setBlocked(user.id, event.currentTarget.checked, event.currentTarget),
    });
    return h(
      "label",
      { class: "switch", title: "The user has blocked the bot: the bot's messages to them fail with 403." },
      input,
      h("span", { class: "switch-track", "aria-hidden": "true" }),
      h("span", { class: "visually-hidden" }, `${displayName(user)} `),
      h("span", { class: "switch-text" }, "Blocked"),
      h("span", { class: "visually-hidden" }, " the bot"),
    );
  }

  async function setBlocked(userId, blocked, input) {
    input.disabled = true;
    try {
      const answer = await request("POST", `/_emulator/users/${userId}/${blocked ? "block" : "unblock"}`, {});
      if (!answer.ok) throw new Error(reason(answer));
      rememberUser(answer.data.user, answer.data.blocked);
    } catch (error) {
      input.checked = !blocked;
      notify(userId, `Could not ${blocked ? "block" : "unblock"}: ${error.message}`, "error");
    } finally {
      input.disabled = false;
    }
    renderUserList();
    updatePaneHeader(userId);
  }

  function setupNewUserForm() {
    const form = /** @type {HTMLFormElement} */ ($("new-user-form"));
    const language = /** @type {HTMLSelectElement} */ ($("new-user-language"));
    const customField = $("custom-language-field");
    const custom = /** @type {HTMLInputElement} */ ($("new-user-custom-language"));
    const error = $("new-user-error");
    language.addEventListener("change", () => {
      customField.hidden = language.value !== "custom";
      if (!customField.hidden) custom.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      const name = /** @type {HTMLInputElement} */ ($("new-user-name")).value.trim();
      const idText = /** @type {HTMLInputElement} */ ($("new-user-id")).value.trim();
      const code = language.value === "custom" ? custom.value.trim() : language.value;
      if (language.value === "custom" && !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(code)) {
        error.textContent = "Enter a language code such as fr or pt-BR.";
        custom.focus();
        return;
      }
      if (idText && !/^[1-9]\d{0,14}$/.test(idText)) {
        error.textContent = "A user id is a positive whole number (or leave it empty).";
        $("new-user-id").focus();
        return;
      }
      const body = {
        language_code: code,
        ...(name ? { first_name: name } : {}),
        ...(idText ? { id: Number(idText) } : {}),
      };
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      try {
        const answer = await request("POST", "/_emulator/users", body);
        if (!answer.ok) throw new Error(reason(answer));
        const user = answer.data.user;
        rememberUser(user, false);
        form.reset();
        customField.hidden = true;
        renderUserList();
        await openPane(user.id, { focus: "start" });
      } catch (failure) {
        error.textContent = `Could not create the user: ${failure.message}`;
      } finally {
        submit.disabled = false;
      }
    });
  }

  // ------------------------------------------------------------------------------------------ chat panes

  function saveOpenPanes() {
    try {
      localStorage.setItem(storageKey, JSON.stringify([...state.panes.keys()]));
    } catch {
      // Private mode or storage off: the panes simply do not come back after a reload.
    }
  }

  function savedOpenPanes() {
    try {
      const ids = JSON.parse(localStorage.getItem(storageKey) ?? "[]");
      return Array.isArray(ids) ? ids.filter((id) => Number.isSafeInteger(id)) : [];
    } catch {
      return [];
    }
  }

  /** Opens (or focuses) the chat pane of a user and loads its history. */
  async function openPane(userId, options = {}) {
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

  function closePane(userId) {
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

  async function loadHistory(userId) {
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

  function createPane(user) {
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
      h(
        "p",
        { class: "visually-hidden", id: `composer-hint-${id}` },
        "Enter sends, Shift+Enter adds a line.",
      ),
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

  function autoGrow(input) {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  function updatePaneHeader(userId) {
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
  async function submitComposer(userId) {
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
  async function sendText(userId, text) {
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
  function setPending(button, pending) {
    button.classList.toggle("is-pending", pending);
    if (pending) button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");
  }

  function clearPending(userId) {
    const pane = state.panes.get(userId);
    for (const button of pane?.log.querySelectorAll(".is-pending") ?? []) setPending(button, false);
  }

  async function pressInlineButton(userId, messageId, data, button) {
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

  async function pressReplyButton(userId, text) {
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

  async function loadCommands(userId, list) {
    const known = state.users.get(userId);
    list.replaceChildren(h("li", { class: "hint" }, "Loading…"));
    const language = encodeURIComponent(known?.user.language_code ?? "");
    const answer = await request(
      "GET",
      `/_emulator/chats/${userId}/commands?language_code=${language}`,
    ).catch(() => null);
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
  function notify(userId, text, kind = "info") {
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

  // ------------------------------------------------------------------------------------------ messages

  /** An entry's version: edits only move forward, a deletion is final. */
  function version(entry) {
    return entry.deleted ? Number.MAX_SAFE_INTEGER : (entry.previousVersions?.length ?? 0);
  }

  function upsertEntry(chatId, entry) {
    const chat = state.chats.get(chatId);
    if (!chat) return;
    const known = chat.messages.get(entry.messageId);
    if (known && version(known) > version(entry)) return;
    chat.messages.set(entry.messageId, entry);
    renderEntry(chatId, entry);
  }

  function renderEntry(chatId, entry) {
    const pane = state.panes.get(chatId);
    if (!pane) return;
    const existing = pane.log.querySelector(`[data-message-id="${entry.messageId}"]`);
    if (entry.deleted) {
      existing?.remove();
      updateStart(chatId);
      return;
    }
    const stick = pane.atEnd || isNearEnd(pane);
    const focused = existing?.contains(document.activeElement)
      ? document.activeElement.dataset.key
      : undefined;
    const element = messageElement(chatId, entry);
    if (existing) existing.replaceWith(element);
    else {
      const later = [...pane.log.children].find((item) => Number(item.dataset.messageId) > entry.messageId);
      pane.log.insertBefore(element, later ?? null);
    }
    if (focused) {
      const again =
        element.querySelector(`[data-key="${CSS.escape(focused)}"]`) ?? element.querySelector("button");
      (again ?? pane.input).focus({ preventScroll: true });
    }
    updateStart(chatId);
    if (stick || entry.sender === "user") scrollToEnd(pane);
    if (state.users.get(chatId)?.blocked) updatePaneHeader(chatId);
  }

  function messageElement(chatId, entry) {
    const fromBot = entry.sender === "bot";
    const time = new Date(entry.date * 1000);
    const bubble = h(
      "div",
      { class: "bubble" },
      h("span", { class: "visually-hidden" }, fromBot ? "Bot: " : "You: "),
      entry.media ? mediaElement(entry.media) : null,
      entry.text
        ? h("div", { class: "text" }, richText(entry.text, entry.entities ?? [], chatId, fromBot))
        : null,
      h(
        "span",
        { class: "meta" },
        entry.edited
          ? h(
              "span",
              {
                class: "edited",
                title: entry.previousVersions?.length
                  ? `Before: ${entry.previousVersions.at(-1).text}`
                  : undefined,
              },
              "edited ",
            )
          : null,
        h(
          "time",
          { datetime: time.toISOString() },
          time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
        ),
      ),
    );
    const inline =
      entry.replyMarkup && "inline_keyboard" in entry.replyMarkup ? entry.replyMarkup.inline_keyboard : [];
    return h(
      "li",
      { class: `msg ${fromBot ? "bot" : "user"}`, "data-message-id": entry.messageId },
      bubble,
      inline.length > 0 ? inlineKeyboard(chatId, entry.messageId, inline) : null,
    );
  }

  function inlineKeyboard(chatId, messageId, rows) {
    return h(
      "div",
      { class: "inline-keyboard", role: "group", "aria-label": "Buttons" },
      rows.map((row) =>
        h(
          "div",
          { class: "keyboard-row" },
          row.map((button, index) => {
            if (typeof button.callback_data === "string") {
              return h(
                "button",
                {
                  type: "button",
                  "data-key": `cb:${button.callback_data}`,
                  onclick: (event) =>
                    pressInlineButton(chatId, messageId, button.callback_data, event.currentTarget),
                },
                button.text,
              );
            }
            if (typeof button.url === "string" && /^https?:\/\//i.test(button.url)) {
              return h(
                "a",
                {
                  class: "link-button",
                  href: button.url,
                  target: "_blank",
                  rel: "noopener noreferrer",
                  "data-key": `url:${index}`,
                },
                button.text,
                h("span", { "aria-hidden": "true" }, " ↗"),
                h("span", { class: "visually-hidden" }, " (opens a new tab)"),
              );
            }
            return h(
              "button",
              {
                type: "button",
                class: "unsupported",
                disabled: true,
                title: "This kind of button is not emulated here.",
              },
              button.text,
            );
          }),
        ),
      ),
    );
  }

  function mediaElement(media) {
    const sameOrigin =
      typeof media.url === "string" && media.url.startsWith("/") && !media.url.startsWith("//");
    if (media.kind === "photo" && sameOrigin) {
      return h("img", {
        class: "photo",
        src: media.url,
        alt: media.fileName ? `Photo ${media.fileName}` : "Photo",
        loading: "lazy",
      });
    }
    const label = `${media.kind === "photo" ? "🖼 Photo" : "📎"} ${media.fileName ?? media.fileId}`;
    if (sameOrigin)
      return h("a", { class: "document", href: media.url, download: media.fileName ?? "" }, label);
    return h("span", { class: "document" }, `${label} (${media.url})`);
  }

  const entityTags = {
    bold: "strong",
    italic: "em",
    underline: "u",
    strikethrough: "s",
    code: "code",
    pre: "code",
    spoiler: "span",
    blockquote: "span",
    expandable_blockquote: "span",
    text_link: "a",
    url: "a",
    bot_command: "span",
  };

  /**
   * The text with its formatting entities as DOM nodes (bold, italic, code, links...). Every piece of text is
   * a text node, so nothing the bot sends is ever parsed as HTML. Offsets are UTF-16 units, as in JavaScript.
   */
  function richText(text, entities, chatId, fromBot) {
    const fragment = document.createDocumentFragment();
    const given = fromBot ? [...entities, ...commandEntities(text, entities)] : entities;
    const usable = given.filter((entity) => entityTags[entity.type] && entity.length > 0);
    if (usable.length === 0) {
      fragment.append(text);
      return fragment;
    }
    const cuts = new Set([0, text.length]);
    for (const entity of usable) {
      cuts.add(Math.max(0, Math.min(text.length, entity.offset)));
      cuts.add(Math.max(0, Math.min(text.length, entity.offset + entity.length)));
    }
    const points = [...cuts].sort((a, b) => a - b);
    for (let index = 0; index < points.length - 1; index++) {
      const from = points[index];
      const to = points[index + 1];
      /** @type {Node} */
      let node = document.createTextNode(text.slice(from, to));
      for (const entity of usable) {
        if (entity.offset > from || entity.offset + entity.length < to) continue;
        node = wrapEntity(
          node,
          entity,
          text.slice(entity.offset, entity.offset + entity.length),
          chatId,
          fromBot,
        );
      }
      fragment.append(node);
    }
    return fragment;
  }

  /**
   * Telegram marks /commands in bot messages as `bot_command` entities even without a parse mode, so they can
   * be tapped; the emulator does not (yet), so they are found here when the bot's entities lack them.
   */
  function commandEntities(text, entities) {
    if (entities.some((entity) => entity.type === "bot_command")) return [];
    const found = [];
    for (const match of text.matchAll(/(^|[\s(])(\/[A-Za-z][A-Za-z0-9_]{0,31})(?=$|[\s.,!?;:)|])/g)) {
      const offset = (match.index ?? 0) + match[1].length;
      const covered = entities.some(
        (entity) => entity.offset < offset + match[2].length && offset < entity.offset + entity.length,
      );
      if (!covered) found.push({ type: "bot_command", offset, length: match[2].length });
    }
    return found;
  }

  function wrapEntity(node, entity, whole, chatId, fromBot) {
    if (entity.type === "bot_command" && fromBot) {
      return h(
        "button",
        { type: "button", class: "command-link", onclick: () => sendText(chatId, whole.split("@")[0]) },
        node,
      );
    }
    if (entity.type === "text_link" || entity.type === "url") {
      const href =
        entity.type === "url" ? (/^https?:\/\//i.test(whole) ? whole : `https://${whole}`) : entity.url;
      if (typeof href !== "string" || !/^https?:\/\//i.test(href)) return node;
      return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, node);
    }
    const element = h(entityTags[entity.type], { class: `entity-${entity.type}` }, node);
    return element;
  }

  function isNearEnd(pane) {
    const region = pane.logRegion;
    return region.scrollHeight - region.scrollTop - region.clientHeight < 80;
  }

  function scrollToEnd(pane) {
    if (!pane) return;
    pane.logRegion.scrollTop = pane.logRegion.scrollHeight;
    pane.atEnd = true;
  }

  /** Shows the `/start` button while a loaded chat has no messages yet. */
  function updateStart(chatId) {
    const pane = state.panes.get(chatId);
    const chat = state.chats.get(chatId);
    if (!pane || !chat) return;
    const empty = chat.loaded && pane.log.children.length === 0;
    const wasHidden = pane.start.hidden;
    pane.start.hidden = !empty;
    if (!wasHidden && !empty && pane.start.contains(document.activeElement)) pane.input.focus();
  }

  function renderReplyKeyboard(userId) {
    const pane = state.panes.get(userId);
    const chat = state.chats.get(userId);
    if (!pane || !chat) return;
    const rows = chat.replyKeyboard?.keyboard ?? [];
    pane.keyboard.hidden = rows.length === 0;
    pane.keyboard.replaceChildren(
      ...rows.map((row) =>
        h(
          "div",
          { class: "keyboard-row" },
          row.map((button) => {
            const text = typeof button === "string" ? button : button.text;
            return h("button", { type: "button", onclick: () => pressReplyButton(userId, text) }, text);
          }),
        ),
      ),
    );
    if (chat.replyKeyboard?.input_field_placeholder)
      pane.input.placeholder = chat.replyKeyboard.input_field_placeholder;
    else pane.input.placeholder = "Message";
  }

  function showTyping(chatId, on) {
    const pane = state.panes.get(chatId);
    if (!pane) return;
    const typing = pane.header.querySelector(".typing");
    clearTimeout(pane.typingTimer);
    typing.hidden = !on;
    if (on) pane.typingTimer = setTimeout(() => (typing.hidden = true), 5000);
  }

  // ------------------------------------------------------------------------------------------ live events

  function applyEvent(event) {
    switch (event.type) {
      case "user":
        rememberUser(event.user, event.blocked);
        renderUserList();
        updatePaneHeader(event.chatId);
        return;
      case "message":
      case "edit":
      case "delete": {
        const entry = event.entry;
        const chat = state.chats.get(event.chatId);
        if (!chat) {
          const known = state.users.get(event.chatId);
          if (known && event.type === "message" && entry.sender === "bot") {
            known.unread += 1;
            renderUserList();
          }
          return;
        }
        if (entry.sender === "bot") clearPending(event.chatId);
        if (entry.sender === "bot" && event.type === "message") {
          showTyping(event.chatId, false);
          const markup = entry.replyMarkup;
          if (markup && ("keyboard" in markup || "remove_keyboard" in markup)) {
            chat.replyKeyboard = "keyboard" in markup ? markup : undefined;
            chat.keyboardChanged = true;
            renderReplyKeyboard(event.chatId);
          }
        }
        upsertEntry(event.chatId, entry);
        return;
      }
      case "callback_answer":
        clearPending(event.chatId);
        if (event.text) notify(event.chatId, event.text, event.showAlert ? "alert" : "info");
        return;
      case "chat_action":
        if (event.action === "typing") showTyping(event.chatId, true);
        return;
    }
  }

  function setConnection(stateName, text) {
    const element = $("connection");
    if (element.dataset.state === stateName && element.textContent === text) return;
    element.dataset.state = stateName;
    element.textContent = text;
  }

  async function followEvents() {
    for (;;) {
      try {
        if (!state.started) await start();
        const answer = await request("GET", `/_emulator/events?since=${state.seq}&timeout_ms=25000`);
        if (!answer.ok) throw new Error(reason(answer));
        const { events, lastSeq } = answer.data;
        if (lastSeq < state.seq) {
          // The stack restarted: its emulator starts from zero, so start over too.
          state.seq = 0;
          await restart();
          continue;
        }
        for (const event of events) {
          applyEvent(event);
          state.seq = Math.max(state.seq, event.seq);
        }
        setConnection("live", "Live");
      } catch {
        setConnection("offline", "Reconnecting…");
        await delay(1500);
      }
    }
  }

  async function restart() {
    for (const id of [...state.panes.keys()]) {
      state.panes.get(id)?.root.remove();
      state.panes.delete(id);
      state.chats.delete(id);
    }
    state.users.clear();
    state.started = false;
    await start();
  }

  async function start() {
    const [bot, config, latest] = await Promise.all([
      request("GET", "/_emulator/bot"),
      request("GET", "/web-config.json"),
      request("GET", `/_emulator/events?since=${Number.MAX_SAFE_INTEGER}&timeout_ms=0`),
    ]);
    if (bot.ok) {
      const info = bot.data.botInfo;
      $("bot-name").textContent = `${info.first_name}${info.username ? ` · @${info.username}` : ""}`;
    }
    if (config.ok) state.adminApiToken = config.data.adminApiToken ?? "";
    if (latest.ok) state.seq = latest.data.lastSeq ?? 0;
    await loadUsers();
    state.started = true;
    const previous = savedOpenPanes().filter((id) => state.users.has(id));
    $("chats-empty").hidden = previous.length > 0;
    for (const id of previous) await openPane(id);
    saveOpenPanes();
  }

  // ------------------------------------------------------------------------------------------ broadcasts

  function setupBroadcastForm() {
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

  function showBroadcast(children) {
    $("broadcast-status").replaceChildren(...children);
  }

  function showNotYet() {
    showBroadcast([
      h(
        "p",
        { class: "notice" },
        h("strong", {}, "Broadcasts arrive in a later version."),
        " The admin API answered 501 Not Implemented; this panel will work as soon as it is part of the build.",
      ),
    ]);
  }

  async function followBroadcast(id) {
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

  function isFinished(progress) {
    const status = String(progress.status ?? "").toLowerCase();
    if (finishedStatuses.has(status)) return true;
    return (
      progress.remaining === 0 &&
      Number(progress.total) > 0 &&
      !["queued", "pending", "running", "sending"].includes(status)
    );
  }

  function renderProgress(progress) {
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
        ? h(
            "p",
            { class: "form-error", role: "alert" },
            `${failedJob ? "Failed" : "Note"}: ${progress.error}`,
          )
        : "",
    ]);
  }

  // ------------------------------------------------------------------------------------------ start-up

  // A click outside an open commands menu closes it, as a popover should.
  document.addEventListener("click", (event) => {
    for (const menu of document.querySelectorAll("details.commands[open]")) {
      if (!menu.contains(/** @type {Node} */ (event.target))) menu.open = false;
    }
  });

  document.addEventListener("DOMContentLoaded", async () => {
    setupNewUserForm();
    setupBroadcastForm();
    try {
      await start();
      setConnection("live", "Live");
    } catch (error) {
      setConnection("offline", `Cannot reach the local stack: ${error.message}`);
    }
    followEvents();
  });
})();

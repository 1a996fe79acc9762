/** The users list: simulated users, creating them, blocking and unblocking the bot. */
import { $, h, reason, request, state } from "./core.js";
import { notify, openPane, updatePaneHeader } from "./panes.js";

// ------------------------------------------------------------------------------------------ users

export function displayName(user) {
  return [user.first_name, user.last_name].filter(Boolean).join(" ") || `User ${user.id}`;
}

export function initial(user) {
  return Array.from(displayName(user))[0]?.toUpperCase() ?? "?";
}

/** A stable colour per user id, dark enough for white text. */
export function avatarHue(id) {
  // With 50% saturation and 30% lightness (style.css) every hue keeps white text above 4.5:1.
  return (Number(id) * 47) % 360;
}

export function rememberUser(user, blocked) {
  const known = state.users.get(user.id);
  state.users.set(user.id, { user, blocked: Boolean(blocked), unread: known?.unread ?? 0 });
}

export async function loadUsers() {
  const answer = await request("GET", "/_emulator/users");
  if (!answer.ok) throw new Error(reason(answer));
  for (const entry of answer.data.users) {
    const { blocked, ...user } = entry;
    rememberUser(user, blocked);
  }
  renderUserList();
}

export function renderUserList() {
  const list = $("user-list");
  // The support group's staff member writes from the operator view, not as a user of the bot.
  const users = [...state.users.values()].filter(({ user }) => user.id !== state.config.support?.staffUserId);
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
export function blockedSwitch(user, blocked, key) {
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

export async function setBlocked(userId, blocked, input) {
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

export function setupNewUserForm() {
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

/** Messages in a pane: text with entities as DOM nodes (never HTML), keyboards, media. */
import { h, state } from "./core.js";
import { pressInlineButton, pressReplyButton, sendText, updatePaneHeader } from "./panes.js";

// ------------------------------------------------------------------------------------------ messages

/** An entry's version: edits only move forward, a deletion is final. */
export function version(entry) {
  return entry.deleted ? Number.MAX_SAFE_INTEGER : (entry.previousVersions?.length ?? 0);
}

export function upsertEntry(chatId, entry) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  const known = chat.messages.get(entry.messageId);
  if (known && version(known) > version(entry)) return;
  chat.messages.set(entry.messageId, entry);
  renderEntry(chatId, entry);
}

export function renderEntry(chatId, entry) {
  const pane = state.panes.get(chatId);
  if (!pane) return;
  const existing = pane.log.querySelector(`[data-message-id="${entry.messageId}"]`);
  if (entry.deleted) {
    existing?.remove();
    updateStart(chatId);
    return;
  }
  const stick = pane.atEnd || isNearEnd(pane);
  const focused = existing?.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
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

export function messageElement(chatId, entry) {
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

export function inlineKeyboard(chatId, messageId, rows) {
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

export function mediaElement(media) {
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

export const entityTags = {
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
export function richText(text, entities, chatId, fromBot) {
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
export function commandEntities(text, entities) {
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

export function wrapEntity(node, entity, whole, chatId, fromBot) {
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

export function isNearEnd(pane) {
  const region = pane.logRegion;
  return region.scrollHeight - region.scrollTop - region.clientHeight < 80;
}

export function scrollToEnd(pane) {
  if (!pane) return;
  pane.logRegion.scrollTop = pane.logRegion.scrollHeight;
  pane.atEnd = true;
}

/** Shows the `/start` button while a loaded chat has no messages yet. */
export function updateStart(chatId) {
  const pane = state.panes.get(chatId);
  const chat = state.chats.get(chatId);
  if (!pane || !chat) return;
  const empty = chat.loaded && pane.log.children.length === 0;
  const wasHidden = pane.start.hidden;
  pane.start.hidden = !empty;
  if (!wasHidden && !empty && pane.start.contains(document.activeElement)) pane.input.focus();
}

export function renderReplyKeyboard(userId) {
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

export function showTyping(chatId, on) {
  const pane = state.panes.get(chatId);
  if (!pane) return;
  const typing = pane.header.querySelector(".typing");
  clearTimeout(pane.typingTimer);
  typing.hidden = !on;
  if (on) pane.typingTimer = setTimeout(() => (typing.hidden = true), 5000);
}

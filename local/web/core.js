/** Shared by every part of the web chat: its state, DOM and HTTP helpers. */

export const storageKey = "lambdagram.openChats";
export const finishedStatuses = new Set([
  "done",
  "completed",
  "complete",
  "finished",
  "failed",
  "cancelled",
  "canceled",
]);

/** Everything the page knows; the DOM is drawn from it. */
export const state = {
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
  /** `/web-config.json` as last read: the admin token, the content's intents and questionnaires, support. */
  config: {},
};

/** Callbacks that see every live event too (the operator view follows the support group with one). */
export const eventListeners = new Set();

export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Creates an element with attributes and children (strings become text nodes). */
export function h(tag, attributes = {}, ...children) {
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
export async function request(method, path, body, headers = {}) {
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
export function reason(answer) {
  const data = answer.data;
  if (data && typeof data === "object") {
    if (typeof data.message === "string") return data.message;
    if (typeof data.description === "string") return data.description;
    if (typeof data.error === "string") return data.error;
  }
  return answer.text?.trim() || `HTTP ${answer.status}`;
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Live events: the long poll of /_emulator/events and the start-up load. */
import { $, delay, eventListeners, reason, request, state } from "./core.js";
import { renderReplyKeyboard, showTyping, upsertEntry } from "./messages.js";
import { clearPending, notify, openPane, savedOpenPanes, saveOpenPanes, updatePaneHeader } from "./panes.js";
import { loadUsers, rememberUser, renderUserList } from "./users.js";

// ------------------------------------------------------------------------------------------ live events

export function applyEvent(event) {
  for (const listener of eventListeners) {
    try {
      listener(event);
    } catch (error) {
      console.warn("An operator view listener failed:", error);
    }
  }
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

export function setConnection(stateName, text) {
  const element = $("connection");
  if (element.dataset.state === stateName && element.textContent === text) return;
  element.dataset.state = stateName;
  element.textContent = text;
}

export async function followEvents() {
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

export async function restart() {
  for (const id of [...state.panes.keys()]) {
    state.panes.get(id)?.root.remove();
    state.panes.delete(id);
    state.chats.delete(id);
  }
  state.users.clear();
  state.started = false;
  await start();
}

export async function start() {
  const [bot, config, latest] = await Promise.all([
    request("GET", "/_emulator/bot"),
    request("GET", "/web-config.json"),
    request("GET", `/_emulator/events?since=${Number.MAX_SAFE_INTEGER}&timeout_ms=0`),
  ]);
  if (bot.ok) {
    const info = bot.data.botInfo;
    $("bot-name").textContent = `${info.first_name}${info.username ? ` · @${info.username}` : ""}`;
  }
  if (config.ok) {
    state.config = config.data ?? {};
    state.adminApiToken = state.config.adminApiToken ?? "";
  }
  if (latest.ok) state.seq = latest.data.lastSeq ?? 0;
  await loadUsers();
  state.started = true;
  const previous = savedOpenPanes().filter((id) => state.users.has(id));
  $("chats-empty").hidden = previous.length > 0;
  for (const id of previous) await openPane(id);
  saveOpenPanes();
}

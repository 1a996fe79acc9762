/**
 * The operator view beside the chat: a second view of the page, picked with the links in the top bar
 * (`#operator` in the address, so it survives reloads and Back returns to the chat). It has four panels, each
 * its own module reading the admin API through operator-client.js: stats (operator-stats.js), the inbox (operator-inbox.js), the support group (operator-support.js) and
 * questionnaire results (operator-results.js). Panels load when the view opens and on their Refresh button.
 */
import { $, eventListeners, state } from "./core.js";
import { setupInbox } from "./operator-inbox.js";
import { setupResults } from "./operator-results.js";
import { setupStats } from "./operator-stats.js";
import { setupSupport } from "./operator-support.js";

/** @type {{ load: () => Promise<void>, follow?: boolean, section: HTMLElement }[]} */
const panels = [];
let activityTimer = 0;

/** Wires the panels and the address; shows the view the address asks for. */
export function setupOperatorView() {
  panels.push(
    setupStats($("op-stats")),
    setupInbox($("op-inbox")),
    setupSupport($("op-support")),
    setupResults($("op-results")),
  );
  window.addEventListener("hashchange", () => showView(viewFromHash()));
  // Users chatting (in another window, or through the emulator's API) change the numbers: panels that follow
  // activity reload a moment after it settles, unless the operator is working inside them.
  eventListeners.add((event) => {
    if (event.type !== "message" || event.chatId === state.config.support?.chatId) return;
    clearTimeout(activityTimer);
    activityTimer = setTimeout(() => {
      if ($("operator-view").hidden) return;
      for (const panel of panels)
        if (panel.follow && !panel.section.contains(document.activeElement)) panel.load();
    }, 1000);
  });
  showView(viewFromHash());
}

function viewFromHash() {
  // `#operator-view` is the skip link's target inside the operator view.
  return location.hash.startsWith("#operator") ? "operator" : "chat";
}

/** Shows the chat or the operator view; opening the operator view (re)loads its panels. */
export function showView(view) {
  const operator = view === "operator";
  const wasOperator = !$("operator-view").hidden;
  $("chat-view").hidden = operator;
  $("operator-view").hidden = !operator;
  for (const [id, current] of [
    ["tab-chat", !operator],
    ["tab-operator", operator],
  ]) {
    if (current) $(id).setAttribute("aria-current", "page");
    else $(id).removeAttribute("aria-current");
  }
  const skip = document.querySelector(".skip-link");
  skip?.setAttribute("href", operator ? "#operator-view" : "#chats");
  if (skip) skip.textContent = operator ? "Skip to the operator view" : "Skip to chats";
  if (operator && !wasOperator) reloadPanels();
}

/** Loads every panel again (after start-up, when the config arrived, or when the view opens). */
export function reloadPanels() {
  if ($("operator-view").hidden || !state.started) return;
  for (const panel of panels) panel.load();
}

/**
 * The operator view beside the chat: a second tab of the page (`#operator` in the address keeps it across
 * reloads) with four panels, each its own module reading the admin API through operator-client.js:
 * stats (operator-stats.js), the inbox (operator-inbox.js), the support group (operator-support.js) and
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

/** Wires the tabs and the panels; shows the view the address asks for. */
export function setupOperatorView() {
  panels.push(
    setupStats($("op-stats")),
    setupInbox($("op-inbox")),
    setupSupport($("op-support")),
    setupResults($("op-results")),
  );
  const tabs = [$("tab-chat"), $("tab-operator")];
  for (const tab of tabs) {
    tab.addEventListener("click", () =>
      showView(tab.id === "tab-operator" ? "operator" : "chat", { focusTab: true }),
    );
    // Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern, activation follows focus).
    tab.addEventListener("keydown", (event) => {
      const index = tabs.indexOf(tab);
      const next =
        event.key === "ArrowRight"
          ? tabs[(index + 1) % tabs.length]
          : event.key === "ArrowLeft"
            ? tabs[(index + tabs.length - 1) % tabs.length]
            : event.key === "Home"
              ? tabs[0]
              : event.key === "End"
                ? tabs.at(-1)
                : undefined;
      if (!next) return;
      event.preventDefault();
      showView(next.id === "tab-operator" ? "operator" : "chat", { focusTab: true });
    });
  }
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
  return location.hash === "#operator" ? "operator" : "chat";
}

/** Shows the chat or the operator view; opening the operator view (re)loads its panels. */
export function showView(view, options = {}) {
  const operator = view === "operator";
  const wasOperator = !$("operator-view").hidden;
  $("chat-view").hidden = operator;
  $("operator-view").hidden = !operator;
  for (const [id, selected] of [
    ["tab-chat", !operator],
    ["tab-operator", operator],
  ]) {
    const tab = $(id);
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && options.focusTab) tab.focus();
  }
  const skip = document.querySelector(".skip-link");
  skip?.setAttribute("href", operator ? "#operator-view" : "#chats");
  if (skip) skip.textContent = operator ? "Skip to the operator view" : "Skip to chats";
  const hash = operator ? "#operator" : "";
  if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname + location.search);
  if (operator && !wasOperator) reloadPanels();
}

/** Loads every panel again (after start-up, when the config arrived, or when the view opens). */
export function reloadPanels() {
  if ($("operator-view").hidden || !state.started) return;
  for (const panel of panels) panel.load();
}

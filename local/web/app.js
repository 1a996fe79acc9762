/**
 * The web chat of the local stack: plain browser JavaScript, no build step, same origin only.
 *
 * It plays Telegram for simulated users through the emulator's control API (`/_emulator/...`): creates users,
 * sends their texts and button presses, blocks and unblocks the bot, and long-polls `/_emulator/events` to
 * show the bot's messages and edits live. The admin panel talks to the admin API with the bearer token from
 * `/web-config.json`. Everything the bot writes is put in the page as text nodes, never as HTML.
 *
 * ES modules, served as they are: core.js (state, DOM and HTTP helpers), users.js, panes.js (chat panes),
 * messages.js (rendering), events.js (the live feed), broadcasts.js (the admin panel), operator.js (the operator
 * view's tab and its panels, operator-*.js); this file starts them.
 */

import { setupBroadcastForm } from "./broadcasts.js";
import { followEvents, setConnection, start } from "./events.js";
import { reloadPanels, setupOperatorView } from "./operator.js";
import { setupNewUserForm } from "./users.js";

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
  setupOperatorView();
  try {
    await start();
    setConnection("live", "Live");
    reloadPanels();
  } catch (error) {
    setConnection("offline", `Cannot reach the local stack: ${error.message}`);
  }
  followEvents();
});

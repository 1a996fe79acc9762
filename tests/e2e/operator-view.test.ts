/**
 * The operator view of `npm start`'s web page, in headless Chromium against the real local stack: the tab
 * beside the chat (mouse, keyboard, address), the stats charts, the inbox and its labelling, the support group
 * where staff answer users, and questionnaire results with their CSV download, at desktop and phone widths.
 * Users are played through the emulator (as Telegram would deliver them); the operator only uses the page.
 */
import { readFileSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { env } from "../../contracts/runtime";
import type { LocalStack } from "../../local/stack";
import type { TelegramEmulator } from "../../local/telegram/emulator";
import { artifactPath, launchChromium } from "../helpers/browser-chromium";
import { startTestStack } from "../helpers/local-stack";

const wait = { timeout: 10_000 };

describe("the operator view in a browser", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let emulator: TelegramEmulator;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ defaultMode: "nlp" }), launchChromium()]);
    if (!stack.emulator) throw new Error("the local stack should run its Telegram emulator");
    emulator = stack.emulator;
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.setDefaultTimeout(wait.timeout);
    page.on("pageerror", (error) => pageErrors.push(`uncaught: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(stack.url);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor(wait);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The operator view's region for one panel, by its heading. */
  function panel(heading: string | RegExp) {
    return page.getByRole("region", { name: heading });
  }

  async function openOperatorView(): Promise<void> {
    await page.getByRole("link", { name: "Operator", exact: true }).click();
    await page.getByRole("main", { name: "Operator view" }).waitFor(wait);
  }

  async function openChatView(): Promise<void> {
    await page.getByRole("link", { name: "Chat", exact: true }).click();
    await page.locator("#chat-view").waitFor(wait);
  }

  /** A user (played through the emulator, as Telegram delivers them) writes `text` and the bot answers. */
  async function userSays(userId: number, text: string): Promise<void> {
    emulator.sendText(userId, text);
    await emulator.idle({ timeoutMs: 10_000 });
  }

  /** What the admin API answers, read with the token the page uses. */
  async function adminGet(path: string): Promise<unknown> {
    const response = await fetch(`${stack.url}${path}`, {
      headers: { authorization: `Bearer ${stack.environment[env.adminApiToken]}` },
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  /** In the chat view: creates a user with the page's form; resolves with their chat pane. */
  async function createUserInPage(firstName: string): Promise<Locator> {
    await page.getByLabel("First name").fill(firstName);
    await page.getByLabel("Language", { exact: true }).selectOption("en");
    await page.getByRole("button", { name: "Create user" }).click();
    const pane = page.getByRole("region", { name: `Chat with ${firstName}` });
    await pane.waitFor(wait);
    return pane;
  }

  /** Types into a chat pane's message box and presses Enter. */
  async function typeInChat(pane: Locator, text: string): Promise<void> {
    const box = pane.getByRole("textbox", { name: /^Message to the bot/ });
    await box.fill(text);
    await box.press("Enter");
  }

  async function botSays(pane: Locator, text: string | RegExp): Promise<Locator> {
    const message = pane.locator("li.msg.bot", { hasText: text }).last();
    await message.waitFor(wait);
    return message;
  }

  async function press(pane: Locator, label: string | RegExp): Promise<void> {
    await pane
      .locator(".inline-keyboard")
      .getByRole("button", { name: label, exact: typeof label === "string" })
      .last()
      .click();
  }

  it("opens beside the chat from the top bar, by keyboard too, and stays open across a reload", async () => {
    const views = page.getByRole("navigation", { name: "Views" });
    expect(await views.getByRole("link", { name: "Chat" }).getAttribute("aria-current")).toBe("page");
    await views.getByRole("link", { name: "Operator" }).focus();
    await page.keyboard.press("Enter");

    await page.getByRole("main", { name: "Operator view" }).waitFor(wait);
    expect(await views.getByRole("link", { name: "Operator" }).getAttribute("aria-current")).toBe("page");
    expect(await page.locator("#chat-view").isHidden()).toBe(true);
    for (const heading of ["Stats", /^Inbox/, /^Support group/, "Questionnaire results"])
      await panel(heading).waitFor(wait);

    await page.reload();
    await page.getByRole("main", { name: "Operator view" }).waitFor(wait);
    expect(page.url()).toMatch(/#operator$/);
    await page.keyboard.press("Tab"); // the skip link comes first, and leads into the operator view
    expect(await page.locator(":focus").textContent()).toBe("Skip to the operator view");
    await page.keyboard.press("Enter");
    expect(await page.locator("#operator-view").evaluate((main) => main.matches(":focus"))).toBe(true);
    await page.getByRole("main", { name: "Operator view" }).waitFor(wait);

    await views.getByRole("link", { name: "Chat" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("#chat-view").waitFor(wait);
    await page.goBack();
    await page.getByRole("main", { name: "Operator view" }).waitFor(wait);
    await page.goForward();
    await page.locator("#chat-view").waitFor(wait);
    expect(await views.getByRole("link", { name: "Chat" }).getAttribute("aria-current")).toBe("page");
  });

  it("charts the messages users sent, per day, with the intents they asked about", async () => {
    const ben = emulator.createUser({ first_name: "Ben", language_code: "en" });
    for (const text of ["lambda pricing", "lambda pricing", "what is dynamodb"]) await userSays(ben.id, text);

    await openOperatorView();
    const stats = panel("Stats");
    await stats.getByRole("button", { name: "Refresh the stats" }).click();
    const perDay = stats.getByRole("img", { name: /^Messages per day/ });
    await perDay.waitFor(wait);
    // The panel may still show the figures it read when the view first opened (in the test above) until the
    // refreshed ones arrive: wait for today's column to be redrawn with them.
    await perDay.locator('.op-column[data-value="3"]').waitFor(wait);
    const today = perDay.locator(".op-column").last();
    expect(await today.getAttribute("data-value")).toBe("3");
    expect(await today.locator(".op-value").textContent()).toBe("3");
    expect(await perDay.getAttribute("aria-label")).toMatch(/; \w+day, \w+ \d+: 3$/);
    const intents = stats.getByRole("img", { name: /^Top intents/ });
    expect(await intents.getAttribute("aria-label")).toMatch(/Lambda pricing: 2/i);
    expect(await stats.locator(".op-tile", { hasText: "Users" }).locator("dd").first().textContent()).toBe(
      "1",
    );
  });

  it("lists a declined message in the inbox; labelling it out of scope takes it out of New", async () => {
    const quynh = emulator.createUser({ first_name: "Quynh", language_code: "en" });
    const tuan = emulator.createUser({ first_name: "Tuan", language_code: "en" });
    await userSays(quynh.id, "can you book me a flight to Tokyo");
    await userSays(tuan.id, "Can you book me a flight to Tokyo");

    await openOperatorView();
    const inbox = panel(/^Inbox/);
    await inbox.getByRole("button", { name: "Refresh the inbox" }).click();
    const entry = inbox.getByRole("listitem").filter({ hasText: /book me a flight to Tokyo/i });
    await entry.waitFor(wait);
    expect(await entry.count()).toBe(1);
    expect(await entry.locator(".inbox-count").textContent()).toBe("×2");

    await entry.getByRole("button", { name: "Out of scope" }).click();
    await entry.waitFor({ ...wait, state: "detached" });
    await inbox
      .getByRole("status")
      .filter({ hasText: /labelled out of scope/ })
      .waitFor(wait);
    const listed = (await adminGet("/admin/inbox?status=outOfScope")) as { entries: { text: string }[] };
    expect(listed.entries.map((item) => item.text)).toEqual([expect.stringMatching(/book me a flight/i)]);

    await inbox.getByLabel("Show").selectOption("outOfScope");
    await inbox
      .getByRole("listitem")
      .filter({ hasText: /book me a flight to Tokyo/i })
      .waitFor(wait);
    await inbox.getByLabel("Show").selectOption("new");
  });

  it("labels an inbox entry with an intent picked from the list, from the keyboard", async () => {
    const minh = emulator.createUser({ first_name: "Minh", language_code: "en" });
    await userSays(minh.id, "how do I bake sourdough bread");
    await openOperatorView();
    const inbox = panel(/^Inbox/);
    await inbox.getByRole("button", { name: "Refresh the inbox" }).click();
    const entry = inbox.getByRole("listitem").filter({ hasText: "how do I bake sourdough bread" });
    await entry.waitFor(wait);

    const pick = entry.getByLabel(/^Another intent for/);
    await pick.focus();
    await pick.selectOption("qa.lambda-pricing");
    await page.keyboard.press("Tab");
    expect(
      await entry.getByRole("button", { name: "Assign" }).evaluate((button) => button.matches(":focus")),
    ).toBe(true);
    await page.keyboard.press("Enter");
    await entry.waitFor({ ...wait, state: "detached" });

    await inbox.getByLabel("Show").selectOption("labelled");
    const labelled = inbox.getByRole("listitem").filter({ hasText: "how do I bake sourdough bread" });
    await labelled.waitFor(wait);
    expect(await labelled.locator(".status-pill").textContent()).toMatch(/labelled: Lambda pricing/i);
    await inbox.getByLabel("Show").selectOption("new");
  });

  it("shows a handed-over question in the support group; the staff reply typed there reaches the user", async () => {
    await openChatView();
    const lan = await createUserInPage("Lan");
    // The staff member is not one of the bot's users in the list: they write from the support pane.
    const config = (await (await fetch(`${stack.url}/web-config.json`)).json()) as {
      support: { staffUserId: number };
    };
    const staff = emulator.user(config.support.staffUserId);
    expect(await page.locator("#user-list").getByText(staff.first_name).count()).toBe(0);
    await typeInChat(lan, "my cat ate the charger, what now");
    await press(lan, /Ask a person/);
    await botSays(lan, /passed this on to our team/);

    await openOperatorView();
    const support = panel(/^Support group/);
    const question = support.locator("li.msg.bot", { hasText: "my cat ate the charger" });
    await question.waitFor(wait);
    await question.getByRole("button", { name: /^Reply to/ }).click();
    await support.getByText(/^Replying to:/).waitFor(wait);
    const box = support.getByLabel("Reply as staff");
    expect(await box.evaluate((element) => element.matches(":focus"))).toBe(true);
    await page.keyboard.type("Unplug it first, then we'll send a new one.");
    await page.keyboard.press("Enter");

    const reply = support.locator("li.msg.user", { hasText: "Unplug it first" });
    await reply.waitFor(wait);
    expect(await reply.locator(".support-quote").textContent()).toContain(
      "Lan (en) would like to talk to a person",
    );
    expect(await box.inputValue()).toBe("");

    await openChatView();
    const delivered = await botSays(lan, "Unplug it first, then we'll send a new one.");
    expect(await delivered.locator(".text").innerText()).toBe(
      "💬 From our team:\nUnplug it first, then we'll send a new one.",
    );
  });

  it("shows questionnaire results and downloads the submitted answers as CSV", async () => {
    await openChatView();
    const hoa = await createUserInPage("Hoa");
    await hoa.getByRole("button", { name: "/start" }).click();
    await botSays(hoa, "Hi Hoa!");
    await press(hoa, /Questionnaires/);
    await press(hoa, "Course feedback");
    await botSays(hoa, "How would you rate the course so far?");
    await press(hoa, "4 ⭐⭐⭐⭐");
    await botSays(hoa, "Anything you'd like to add?");
    await typeInChat(hoa, "More DynamoDB, please");
    await botSays(hoa, "Please check your answers");
    await press(hoa, "✅ Confirm");
    await botSays(hoa, /have been saved/);

    await openOperatorView();
    const results = panel("Questionnaire results");
    await results.getByLabel("Questionnaire", { exact: true }).selectOption("course-feedback");
    await results.getByRole("button", { name: "Refresh the results" }).click();
    await results.locator(".results-completions", { hasText: "1" }).waitFor(wait);
    const rating = results.getByRole("img", { name: /^How would you rate the course so far\?/ });
    expect(await rating.locator('.op-row[data-label="4 ⭐⭐⭐⭐"]').getAttribute("data-value")).toBe("1");
    expect(await rating.locator('.op-row[data-label="5 ⭐⭐⭐⭐⭐"]').getAttribute("data-value")).toBe("0");
    await results.getByText("Average: 4").waitFor(wait);

    const downloading = page.waitForEvent("download");
    await results.getByRole("button", { name: "Download CSV" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/course-feedback.*\.csv$/);
    const csv = readFileSync(await download.path(), "utf8");
    const [header, row, ...rest] = csv
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    expect(rest).toEqual([]);
    expect(header).toMatch(/rating/);
    expect(header).toMatch(/comment/);
    expect(row).toContain("More DynamoDB, please");
    expect(row).toMatch(/(^|,)"?4"?(,|$)/);
    await results.getByRole("status").filter({ hasText: "Downloaded 1 response" }).waitFor(wait);
    await page.screenshot({ path: artifactPath("operator-view.png"), fullPage: true });
  });

  it("says which parts a stack does not have yet instead of failing", async () => {
    // A stack without the features: its route table answers 404 in plain text, and no support group is set.
    const older = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await older.route("**/admin/**", (route) =>
        route.fulfill({ status: 404, contentType: "text/plain", body: "Not found." }),
      );
      await older.route("**/web-config.json", async (route) => {
        const { support: _none, ...config } = (await (await route.fetch()).json()) as Record<string, unknown>;
        await route.fulfill({ json: config });
      });
      await older.goto(`${stack.url}/#operator`);
      const region = (name: string | RegExp) => older.getByRole("region", { name });
      await region("Stats").getByText("The stats are not available yet.").waitFor(wait);
      await region(/^Inbox/)
        .getByText("The inbox is not available yet.")
        .waitFor(wait);
      await region(/^Support group/)
        .getByText("The support group is not available yet.")
        .waitFor(wait);
      const results = region("Questionnaire results");
      await results.getByText("Questionnaire results are not available yet.").waitFor(wait);
      await results.getByRole("button", { name: "Download CSV" }).click();
      await results
        .getByRole("status")
        .filter({ hasText: "The CSV export is not available yet" })
        .waitFor(wait);
    } finally {
      await older.close();
    }
  });

  it("fits a 375 px wide phone screen with nothing scrolling sideways", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    try {
      await phone.goto(`${stack.url}/#operator`);
      await phone.getByRole("main", { name: "Operator view" }).waitFor(wait);
      await phone.getByRole("region", { name: "Stats" }).locator(".op-body > *").first().waitFor(wait);
      expect(await phone.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
      await phone.screenshot({ path: artifactPath("operator-view-375.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it("runs without script errors or failed requests", () => {
    expect(pageErrors).toEqual([]);
  });
});

/**
 * The operator view of `npm start`'s web page, in headless Chromium against the real local stack: the tab
 * beside the chat (mouse, keyboard, address), the stats charts, the inbox and its labelling, the support group
 * where staff answer users, and questionnaire results with their CSV download, at desktop and phone widths.
 * Users are played through the emulator (as Telegram would deliver them); the operator only uses the page.
 */
import type { Browser, Page } from "playwright-core";
import type { LocalStack } from "../../local/stack";
import { artifactPath, launchChromium } from "../helpers/browser-chromium";
import { startTestStack } from "../helpers/local-stack";

const wait = { timeout: 10_000 };

describe("the operator view in a browser", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ defaultMode: "nlp" }), launchChromium()]);
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
    await page.getByRole("tab", { name: "Operator" }).click();
    await page.getByRole("tabpanel", { name: "Operator" }).waitFor(wait);
  }

  it("opens beside the chat from its tab, by keyboard too, and stays open across a reload", async () => {
    const chatTab = page.getByRole("tab", { name: "Chat" });
    expect(await chatTab.getAttribute("aria-selected")).toBe("true");
    await chatTab.focus();
    await page.keyboard.press("ArrowRight");

    const operatorTab = page.getByRole("tab", { name: "Operator" });
    expect(await operatorTab.getAttribute("aria-selected")).toBe("true");
    expect(await operatorTab.evaluate((tab) => tab.matches(":focus"))).toBe(true);
    await page.getByRole("tabpanel", { name: "Operator" }).waitFor(wait);
    expect(await page.locator("#chat-view").isHidden()).toBe(true);
    for (const heading of ["Stats", /^Inbox/, /^Support group/, "Questionnaire results"])
      await panel(heading).waitFor(wait);

    await page.reload();
    await page.getByRole("tabpanel", { name: "Operator" }).waitFor(wait);
    expect(page.url()).toMatch(/#operator$/);

    await page.keyboard.press("Tab"); // the skip link first
    expect(await page.locator(":focus").textContent()).toBe("Skip to the operator view");
    await page.getByRole("tab", { name: "Operator" }).focus();
    await page.keyboard.press("ArrowLeft");
    await page.locator("#chat-view").waitFor(wait);
    expect(page.url()).not.toMatch(/#operator/);
  });

  it("says which parts are not in this build yet instead of failing", async () => {
    await openOperatorView();
    await panel("Stats").getByText("The stats are not available yet.").waitFor(wait);
    await panel(/^Inbox/)
      .getByText("The inbox is not available yet.")
      .waitFor(wait);
    await panel(/^Support group/)
      .getByText("The support group is not available yet.")
      .waitFor(wait);
    await panel("Questionnaire results")
      .getByText("Questionnaire results are not available yet.")
      .waitFor(wait);
  });

  it("fits a 375 px wide phone screen with nothing scrolling sideways", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    try {
      await phone.goto(`${stack.url}/#operator`);
      await phone.getByRole("tabpanel", { name: "Operator" }).waitFor(wait);
      await phone.getByRole("region", { name: "Stats" }).locator(".op-body > *").first().waitFor(wait);
      expect(await phone.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
      await phone.screenshot({ path: artifactPath("operator-view-375.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it("runs without script errors (answers of parts not in this build aside)", () => {
    expect(pageErrors.filter((error) => !/404 \(Not Found\)|501 \(Not Implemented\)/.test(error))).toEqual(
      [],
    );
  });
});

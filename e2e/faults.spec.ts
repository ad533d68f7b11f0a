import { expect, test } from "@playwright/test";
import { arrowLabels, ready } from "./helpers";

/**
 * Break it on purpose, through the page: a fault rule set in the fault
 * panel changes what the services do, the diagram marks it and the
 * outcome counters add it up.
 */
test.describe("faults", () => {
  test("duplicate delivery 100 % on events/#: one order over REST, inventory decremented twice", async ({ page }) => {
    await ready(page);
    const counters = page.getByTestId("outcome-counters");
    await expect(counters.getByTestId("counter-inventory-decrements")).toHaveText("0");

    // The duplicate row: configure first (MQTT, events/#), then switch it on.
    const row = page.locator('[data-kind="duplicate"]');
    await row.getByRole("button", { name: "Show settings of Duplicate delivery" }).click();
    await row.getByRole("combobox", { name: "Mode" }).selectOption({ label: "MQTT" });
    await row.getByRole("textbox", { name: "Topic filter" }).fill("events/#");
    await row.getByRole("switch", { name: "Duplicate delivery" }).check();

    const rules = page.getByTestId("fault-rules");
    await expect(rules).toContainText("⚡ duplicate 100 % · events/# · MQTT");
    // The server stored it (it has an id, so "saving…" is gone).
    await expect(rules).toContainText("not fired yet");
    await expect(page.getByTestId("fault-error")).toHaveCount(0);
    await expect(page.getByTestId("fault-chips")).toContainText("⚡ duplicate 100 % · events/# · MQTT");

    await page.getByRole("combobox", { name: "Call" }).selectOption("CreateOrder");
    await page.getByRole("button", { name: /^Send CreateOrder over REST/ }).click();
    await expect(page.getByTestId("status")).toHaveText("201");

    // The diagram marks the injected duplicate.
    await expect
      .poll(async () => (await arrowLabels(page)).filter((l) => l.includes("⚡ fault") || l.includes("fault rule")), { message: "a fault marker in the diagram" })
      .not.toEqual([]);

    // One order, two decrements: the counters and the verdict say so.
    await expect(counters.getByTestId("counter-accepted")).toHaveText("1");
    await expect(counters.getByTestId("counter-inventory-decrements")).toHaveText("2");
    await expect(counters.getByTestId("verdict")).toContainText("Inventory decremented 2 times for 1 order — 1 order charged twice.");
    await expect(rules).toContainText(/fired \d+×/);

    // Clear faults: the chips go away.
    await page.getByRole("button", { name: "Clear faults" }).click();
    await expect(page.getByTestId("fault-chips")).toHaveCount(0);
  });

  test("Repeat ×20 runs the call 20 times with a progress count", async ({ page }) => {
    await ready(page);
    await page.getByRole("spinbutton", { name: "Repeat count" }).fill("20");
    await page.getByRole("spinbutton", { name: "Calls at a time" }).fill("5");
    await page.getByRole("button", { name: "Repeat GetUser ×20" }).click();
    await expect(page.getByTestId("repeat-summary")).toHaveText("20/20 GetUser over REST · 20 ok");
    await expect(page.getByTestId("status")).toHaveText("200");
  });
});

import { expect, type Page } from "@playwright/test";

/**
 * Labels of every arrow in the main diagram. It renders only the arrows near
 * the visible window, so this scrolls it from top to bottom and collects.
 */
export async function arrowLabels(page: Page): Promise<string[]> {
  const scroller = page.getByTestId("diagram-scroller").first();
  if ((await scroller.count()) === 0) return [];
  const seen = new Set<string>();
  const height = await scroller.evaluate((el) => el.scrollHeight);
  const step = await scroller.evaluate((el) => Math.max(100, el.clientHeight - 80));
  for (let top = 0; ; top += step) {
    await scroller.evaluate((el, t) => (el.scrollTop = t), top);
    await page.waitForTimeout(30);
    const labels = await scroller.locator('svg [role="button"][aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
    labels.forEach((l) => seen.add(l));
    if (top >= height) break;
  }
  return [...seen];
}

/** Opens the playground and waits for its session. */
export async function ready(page: Page) {
  await page.goto("/playground");
  await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
}

/**
 * Console errors of the page (a hydration mismatch shows here), except the
 * browser's own network lines: lessons cause 404s, 503s and connection
 * resets on purpose, and Chromium logs each failed request ("Failed to load
 * resource: …").
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

import { readFileSync } from "node:fs";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { PROGRESS_FORMAT, PROGRESS_STORAGE_KEY, PROGRESS_VERSION } from "@/lib/lessons/progress";
import type { LessonDefinition } from "@/lib/lessons/types";
import { ready } from "./helpers";

/**
 * Measure it, through the page: a short closed run in two modes from the
 * server, with live progress, a results table per mode and a CSV export;
 * a browser run; and a permalink that brings the configuration back.
 * Nothing asserts on speed: other jobs share this machine.
 */

async function openPanel(page: Page): Promise<Locator> {
  await ready(page);
  const panel = page.getByTestId("measure-panel");
  await panel.scrollIntoViewIfNeeded();
  return panel;
}

async function onlyModes(panel: Locator, modes: string[]) {
  for (const name of ["REST", "Connect JSON", "Connect binary", "gRPC-web", "gRPC", "MQTT QoS 0", "MQTT QoS 1", "MQTT QoS 2"]) {
    const chip = panel.getByRole("button", { name, exact: true });
    if (await chip.isDisabled()) continue;
    if ((await chip.getAttribute("aria-pressed")) !== String(modes.includes(name))) await chip.click();
  }
}

async function closedLoad(panel: Locator, requests: number, concurrency: number, warmup: number) {
  await panel.getByRole("radio", { name: /N requests at concurrency C/ }).check();
  await panel.getByRole("spinbutton", { name: "Requests (N)" }).fill(String(requests));
  await panel.getByRole("spinbutton", { name: "Concurrency (C)" }).fill(String(concurrency));
  await panel.getByRole("spinbutton", { name: "Warm-up requests" }).fill(String(warmup));
}

test.describe("measure", () => {
  // Real load runs on a machine shared with other jobs: room to finish, nothing timed.
  test.describe.configure({ timeout: 180_000 });

  test("a closed server run in two modes: progress, p50/p99 per mode, CSV export", async ({ page }) => {
    const panel = await openPanel(page);
    await onlyModes(panel, ["REST", "Connect binary"]);
    await closedLoad(panel, 600, 4, 50);
    await panel.getByRole("button", { name: /^Start run/ }).click();

    // Live progress while it runs, and a cancel button.
    await expect(panel.getByRole("button", { name: "Cancel run" })).toBeVisible();
    await expect(panel.getByTestId("measure-progress")).toBeVisible();
    await expect(panel.getByTestId("measure-status")).toContainText(/Running|Done/);

    await expect(panel.getByTestId("measure-status")).toContainText("Done", { timeout: 150_000 });
    const table = panel.getByTestId("measure-results");
    for (const target of ["rest", "connect-binary"]) {
      const row = table.locator(`tr[data-target="${target}"]`);
      await expect(row).toContainText("done");
      await expect(row.locator('[data-col="p50"]')).toHaveText(/^\d[\d,.]*$/);
      await expect(row.locator('[data-col="p99"]')).toHaveText(/^\d[\d,.]*$/);
      await expect(row).toContainText("600");
    }
    await expect(panel.getByTestId("measure-conditions")).toContainText("Closed model");
    // The claims table compares the two modes the run measured.
    await expect(panel.locator('[data-claim="latency"]')).not.toHaveAttribute("data-verdict", "not-measured");

    const [download] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^wirelab-measure-.*\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(csv[0]).toContain("p50_ms");
    expect(csv[0]).toContain("p99_ms");
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/^rest,/);
    expect(csv[2]).toMatch(/^connect-binary,/);

    // Screenshots for a human to look at: the panel at two common widths.
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 1000 });
      await panel.scrollIntoViewIfNeeded();
      await panel.screenshot({ path: test.info().outputPath(`measure-panel-${width}.png`) });
    }
  });

  test("a browser run of Echo over gRPC-web and MQTT, and its permalink brings the configuration back", async ({ page }) => {
    const panel = await openPanel(page);
    await panel.getByRole("radio", { name: /This browser/ }).check();
    await expect(panel.getByRole("button", { name: "gRPC", exact: true })).toBeDisabled();
    await onlyModes(panel, ["gRPC-web", "MQTT QoS 1"]);
    await panel.getByRole("combobox", { name: "What to measure" }).selectOption({ label: "Echo (a payload you size)" });
    await panel.getByRole("spinbutton", { name: "Payload size (as JSON)" }).fill("2000");
    await expect(panel.getByTestId("size-ratio")).toContainText("% of JSON");
    await closedLoad(panel, 200, 2, 20);
    await panel.getByRole("textbox", { name: "Seed of the payload" }).fill("4242");
    await panel.getByRole("button", { name: /^Start run/ }).click();
    await expect(panel.getByTestId("measure-status")).toContainText("Done", { timeout: 150_000 });
    await expect(panel.locator('tr[data-target="grpc-web"]')).toContainText("200");
    await expect(panel.locator('tr[data-target="mqtt-qos1"]')).toContainText("200");
    await expect(panel.getByTestId("measure-conditions")).toContainText("Web Worker");

    await panel.getByRole("button", { name: "Copy permalink" }).click();
    const link = await panel.getByTestId("measure-permalink").inputValue();
    expect(link).toContain("/playground?measure=");
    await page.goto(link);
    const again = page.getByTestId("measure-panel");
    await expect(again.getByRole("radio", { name: /This browser/ })).toBeChecked();
    await expect(again.getByRole("combobox", { name: "What to measure" })).toHaveValue("3");
    await expect(again.getByRole("textbox", { name: "Seed of the payload" })).toHaveValue("4242");
    await expect(again.getByRole("button", { name: "MQTT QoS 1", exact: true })).toHaveAttribute("aria-pressed", "true");
    await expect(again.getByRole("button", { name: "REST", exact: true })).toHaveAttribute("aria-pressed", "false");
  });

  test("in a lesson read in Chinese the panel speaks Chinese; the lab's limits and the seeds' quotes stay as written", async ({ page }) => {
    await page.context().addCookies([{ name: "wirelab-locale", value: "zh-CN", url: test.info().project.use.baseURL! }]);
    await page.goto("/lessons/measuring");
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    await expect(page.getByTestId("lang-zh-CN")).toHaveAttribute("aria-pressed", "true");
    // The first step's panel: browser, GetUser over Connect binary, closed model.
    const panel = page.getByTestId("measure-panel").first();
    await panel.scrollIntoViewIfNeeded();
    await expect(panel.getByRole("heading", { name: "📏 测一测" })).toBeVisible();
    await expect(panel.getByRole("radio", { name: /本浏览器/ })).toBeChecked();
    await expect(panel.getByRole("radio", { name: /N 个请求，并发 C 个/ })).toBeChecked();
    await expect(panel.getByRole("combobox", { name: "测哪个调用" })).toBeVisible();
    await expect(panel.getByTestId("claims")).toContainText("还没有测量");
    await expect(panel.locator('[data-claim="qps"]')).toContainText("实测 QPS 提升 3–5 倍");

    // A limit: the lab's own message as written, framed in Chinese.
    await panel.getByRole("spinbutton", { name: "并发数（C）" }).fill("500");
    await expect(panel.getByTestId("measure-problems")).toContainText("还不能开始");
    await expect(panel.getByTestId("measure-problems")).toContainText("MEASURE_LIMITS.concurrency");
    await expect(panel.getByRole("button", { name: /^开始测量/ })).toBeDisabled();

    // A short run of REST and Connect binary: status, table and verdicts in Chinese, numbers and percentile names as they are.
    await panel.getByRole("button", { name: "REST", exact: true }).click();
    await panel.getByRole("spinbutton", { name: "并发数（C）" }).fill("2");
    await panel.getByRole("spinbutton", { name: "请求数（N）" }).fill("300");
    await panel.getByRole("spinbutton", { name: "预热请求数" }).fill("20");
    await panel.getByRole("button", { name: /^开始测量/ }).click();
    await expect(panel.getByTestId("measure-status")).toContainText("已完成", { timeout: 150_000 });
    const table = panel.getByTestId("measure-results");
    await expect(table.getByRole("columnheader", { name: "方式" })).toBeVisible();
    await expect(table.getByRole("columnheader", { name: "p99.9" })).toBeVisible();
    for (const target of ["rest", "connect-binary"]) await expect(table.locator(`tr[data-target="${target}"]`)).toContainText("完成");
    await expect(table.locator('tr[data-target="connect-binary"] [data-col="p50"]')).toHaveText(/^\d[\d,.]*$/);
    await expect(panel.getByTestId("measure-conditions")).toContainText("闭环模型");
    await expect(panel.getByRole("button", { name: "下载 CSV" })).toBeVisible();
    await expect(panel.locator('[data-claim="latency"]')).toContainText(/在本机(成立|降得|相反)/);
    await expect(panel.locator('[data-claim="serialization"]')).toContainText("未测量");

    await page.setViewportSize({ width: 1280, height: 1000 });
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: test.info().outputPath("measure-panel-zh-CN.png") });
  });

  test("every Measure panel of a lesson keeps its own choices: one generator and one load model checked in each", async ({ page }) => {
    // Every step passed, so every step (and its panel) is open, as for a learner who has done the lesson.
    const lesson = (await import("../lessons/10-measuring/lesson")).default as LessonDefinition;
    const steps = Object.fromEntries(lesson.steps.map((st) => [st.id, { passedAt: "2026-01-01T00:00:00.000Z" }]));
    const progress = { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, lessons: { measuring: { steps } } };
    await page.addInitScript(([key, value]) => window.localStorage.setItem(key, value), [PROGRESS_STORAGE_KEY, JSON.stringify(progress)] as const);
    await page.goto("/lessons/measuring");
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    const panels = page.getByTestId("measure-panel");
    const count = lesson.steps.filter((st) => st.widgets.includes("measure")).length;
    expect(count).toBeGreaterThan(1);
    await expect(panels).toHaveCount(count);
    const checked = async () =>
      panels.evaluateAll((ps) =>
        ps.map((p) => {
          const radios = [...p.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
          const groups = new Map<string, number>();
          for (const r of radios) groups.set(r.name, (groups.get(r.name) ?? 0) + (r.checked ? 1 : 0));
          return [...groups.values()];
        }),
      );
    // Each panel: two radio groups (where the load comes from, the load model), one choice checked in each.
    expect(await checked()).toEqual(Array.from({ length: count }, () => [1, 1]));
    // Changing one panel's load model leaves the others' as they were.
    await panels.first().getByRole("radio", { name: /R requests\/s for D seconds/ }).check();
    await expect(panels.first().getByRole("radio", { name: /R requests\/s for D seconds/ })).toBeChecked();
    expect(await checked()).toEqual(Array.from({ length: count }, () => [1, 1]));
  });

  test("limits are explained before a run starts", async ({ page }) => {
    const panel = await openPanel(page);
    await closedLoad(panel, 100, 500, 0);
    await expect(panel.getByTestId("measure-problems")).toContainText("MEASURE_LIMITS.concurrency");
    await expect(panel.getByRole("button", { name: /^Start run/ })).toBeDisabled();
  });
});

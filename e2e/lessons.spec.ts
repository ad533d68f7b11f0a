import { readdirSync, readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { actionKind } from "@/lib/lessons/actions";
import { PROGRESS_FORMAT, PROGRESS_STORAGE_KEY, PROGRESS_VERSION, type Progress } from "@/lib/lessons/progress";
import type { LessonDefinition, StepDefinition } from "@/lib/lessons/types";
import { collectErrors } from "./helpers";

/**
 * Every lesson walked in a real browser against a real lab, in both
 * languages: every step opens and its reference solution — run by the
 * page's own "Run solution" button — passes it, and the next step opens.
 * In English every step is also shown not to pass with nothing done nor
 * with its near miss (`wrong`); in Chinese the first step that uses the
 * lab is (the checks are language-free code, walked in full in English),
 * and every step shows the same widgets, in the same order, as in English.
 * Either way the page logs no errors and axe finds nothing serious or
 * critical. Lessons are found by their folders, so new ones are walked
 * without touching this file.
 */

const FOLDERS = readdirSync("lessons", { withFileTypes: true })
  .filter((d) => d.isDirectory() && /^\d{2}-[a-z0-9-]+$/.test(d.name))
  .map((d) => d.name);
const LESSONS = FOLDERS.map((f) => f.replace(/^\d{2}-/, ""));
const definition = async (slug: string): Promise<LessonDefinition> =>
  (await import(`../lessons/${FOLDERS[LESSONS.indexOf(slug)]}/lesson.ts`)).default as LessonDefinition;

/** A step whose solution does something to the lab (more than answering a quiz or waiting). */
const usesTheLab = (s: StepDefinition) => s.solution.some((a) => actionKind(a) !== "answer" && actionKind(a) !== "wait");

/** Progress in which `steps` of the lesson passed, as a learner's export holds it. */
function progressOf(slug: string, steps: readonly string[]): Progress {
  const at = new Date().toISOString();
  return { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, lessons: { [slug]: { steps: Object.fromEntries(steps.map((id) => [id, { passedAt: at }])) } } };
}

/** Opens a lesson in `locale`; `passed` steps count as done already (the progress a learner would have). */
async function openLesson(page: Page, slug: string, locale: string, passed: readonly string[] = []) {
  await test.step(`open ${slug} in ${locale}`, async () => {
    await page.context().addCookies([{ name: "wirelab-locale", value: locale, url: test.info().project.use.baseURL! }]);
    if (passed.length > 0) {
      await page.addInitScript(([key, value]) => window.localStorage.setItem(key, value), [PROGRESS_STORAGE_KEY, JSON.stringify(progressOf(slug, passed))] as const);
    }
    await page.goto(`/lessons/${slug}`);
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    await expect(page.getByTestId(`lang-${locale}`)).toHaveAttribute("aria-pressed", "true");
    await page.waitForFunction(() => window.wirelabLesson !== undefined);
  });
}

/** Waits until nothing runs, the trace is quiet and the active step's check has looked at it. */
async function settle(page: Page) {
  await page.evaluate(() => window.wirelabLesson!.idle());
}

/** The active step: nothing done and its near miss leave it open; its solution passes it. */
async function walkStep(page: Page, id: string) {
  const step = page.locator(`[data-step="${id}"]`);
  await expect(step, `step ${id} opens`).toHaveAttribute("data-state", "active");

  await test.step(`${id}: nothing done`, async () => {
    await settle(page);
    await expect(step, `step ${id} must not pass with nothing done`).toHaveAttribute("data-state", "active");
  });

  await test.step(`${id}: near miss`, async () => {
    await page.evaluate(async (stepId) => {
      const w = window.wirelabLesson!;
      await w.run(w.wrong(stepId));
    }, id);
    await settle(page);
    await expect(step, `step ${id} must not pass with its near miss`).toHaveAttribute("data-state", "active");
  });

  await passStep(page, id);
}

/**
 * The active step passes with its solution, run by the page's "Run solution"
 * button — once the page is idle: a step passes as soon as its goals show,
 * and the rest of the previous solution (turning a fault off, a defence
 * back) may still be running, as it would be for a learner.
 */
async function passStep(page: Page, id: string) {
  const step = page.locator(`[data-step="${id}"]`);
  await expect(step, `step ${id} opens`).toHaveAttribute("data-state", "active");
  await test.step(`${id}: settle before the solution`, () => settle(page));
  await test.step(`${id}: solution`, async () => {
    await step.getByTestId("show-solution").click();
    await step.getByTestId("run-solution").click();
    await expect(step, `step ${id} passes with its solution`).toHaveAttribute("data-state", "passed", { timeout: 45_000 });
    await expect(step.getByTestId("solution").getByRole("alert")).toHaveCount(0);
  });
}

/** The widgets each step shows, in page order (every step must be open or passed: a locked step hides its body). */
async function widgetsByStep(page: Page): Promise<Record<string, string[]>> {
  return page.locator("[data-step]").evaluateAll((sections) =>
    Object.fromEntries(sections.map((s) => [s.getAttribute("data-step"), [...s.querySelectorAll("[data-widget]")].map((w) => w.getAttribute("data-widget"))])),
  );
}

/** Every step shows each widget lesson.ts lists for it, and no other. */
function expectWidgetsOf(lesson: LessonDefinition, shown: Record<string, string[]>) {
  const kinds = (ws: readonly string[]) => [...new Set(ws)].sort();
  expect(Object.fromEntries(Object.entries(shown).map(([id, ws]) => [id, kinds(ws)]))).toEqual(Object.fromEntries(lesson.steps.map((s) => [s.id, kinds(s.widgets)])));
}

/**
 * axe's WCAG 2.0/2.1 A and AA rules over the whole page, in legacy mode:
 * axe runs in the page itself instead of gathering its results in a blank
 * page it opens for each scan. That blank page is for cross-origin frames,
 * and Wirelab's pages have no frames; it cost 3–4 s of the 7–8 s a scan of
 * a walked lesson took on a 2-core VM (two dozen scans a run). Only
 * violations are gathered: describing every passing node took a quarter of
 * a scan (3.0 → 2.2 s on lesson 7). `options` replaces what came before it,
 * so it goes first and the tags after.
 */
async function seriousA11yViolations(page: Page): Promise<string[]> {
  const results = await test.step("axe", () =>
    new AxeBuilder({ page })
      .options({ resultTypes: ["violations"] })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .setLegacyMode(true)
      .analyze(),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

test.describe("lessons", () => {
  // Each test opens its own browser context, so its own lab session: they may run side by side.
  test.describe.configure({ mode: "parallel" });

  test("the home page lists every lesson with its progress", async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto("/");
    const cards = page.getByTestId("lesson-list").locator("a[data-lesson]");
    await expect(cards).toHaveCount(LESSONS.length);
    for (const slug of LESSONS) await expect(page.locator(`a[data-lesson="${slug}"]`)).toContainText(/0 of \d+ steps done|已完成 0\/\d+ 步/);
    await expect(page.getByRole("link", { name: /Playground/ }).first()).toBeVisible();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The scan is not blind: a button with no name is caught.
    await page.evaluate(() => document.querySelector("main")!.append(document.createElement("button")));
    expect(await seriousA11yViolations(page)).toEqual([expect.stringMatching(/^button-name \(critical\)/)]);
    expect(errors).toEqual([]);
  });

  for (const slug of LESSONS) {
    test(`${slug} (en): every step's solution passes it, nothing and the near miss do not`, async ({ page }) => {
      test.setTimeout(240_000);
      const lesson = await definition(slug);
      const errors = collectErrors(page);
      await openLesson(page, slug, "en");
      const steps = await page.evaluate(() => window.wirelabLesson!.steps().map((s) => s.id));
      expect(steps).toEqual(lesson.steps.map((s) => s.id));

      for (const id of steps) await walkStep(page, id);

      await expect(page.getByTestId("lesson-progress")).toContainText(`${steps.length} of ${steps.length}`);
      expectWidgetsOf(lesson, await widgetsByStep(page));
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    });
  }

  // After the English walks (the longest, with their near misses), so two workers finish together.
  for (const slug of LESSONS) {
    test(`${slug} (zh-CN): every step's solution passes it; the first that uses the lab not with nothing or its near miss`, async ({ page }) => {
      test.setTimeout(240_000);
      const lesson = await definition(slug);
      const ids = lesson.steps.map((s) => s.id);
      const first = Math.max(0, lesson.steps.findIndex(usesTheLab));
      const errors = collectErrors(page);
      await openLesson(page, slug, "zh-CN");

      for (const [i, id] of ids.entries()) await (i === first ? walkStep(page, id) : passStep(page, id));

      await expect(page.getByTestId("lesson-progress")).toContainText(`${ids.length}/${ids.length}`);
      const chinese = await widgetsByStep(page);
      expectWidgetsOf(lesson, chinese);
      await page.getByTestId("lang-en").click();
      await expect(page.locator("#lesson-title")).toHaveText(lesson.title.en);
      expect(await widgetsByStep(page), "the same widgets, in the same order, as the English page").toEqual(chinese);
      await page.getByTestId("lang-zh-CN").click();
      await expect(page.locator("#lesson-title")).toHaveText(lesson.title["zh-CN"]);

      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    });
  }

  test("defence, fault and reset actions reach the session's lab", async ({ page, request }) => {
    const errors = collectErrors(page);
    await openLesson(page, LESSONS[0], "en");
    const session = (await page.getByTestId("session-id").textContent())!;
    const lab = async (path: string) => (await request.get(`/rest/lab/${path}`, { headers: { "x-lab-session": session } })).json();

    await page.evaluate(() => window.wirelabLesson!.run([{ setDefences: { timeoutMs: 4321, consumerDedup: true } }, { applyFaults: "flaky-network" }]));
    expect((await lab("defences")).defences).toMatchObject({ timeoutMs: 4321, consumerDedup: true });
    expect((await lab("faults")).rules.map((r: { label: string }) => r.label)).toEqual(["flaky network", "flaky network"]);
    await expect(page.getByTestId("fault-chips").first()).toContainText("latency");

    await page.evaluate(() => window.wirelabLesson!.run([{ reset: true }]));
    expect((await lab("faults")).rules ?? []).toEqual([]);
    expect((await lab("defences")).defences.timeoutMs).toBe(10_000);
    expect(errors).toEqual([]);
  });

  test("the language switches in place and is remembered; progress exports and imports", async ({ page }) => {
    const errors = collectErrors(page);
    const [slug] = LESSONS;
    await openLesson(page, slug, "en");
    const title = page.locator("#lesson-title");
    const english = await title.textContent();

    // Pass the first step, then switch language: the tick and the outcome stay.
    const first = page.locator("[data-step]").first();
    await first.getByTestId("show-solution").click();
    await first.getByTestId("run-solution").click();
    await expect(first).toHaveAttribute("data-state", "passed", { timeout: 45_000 });
    await page.getByTestId("lang-zh-CN").click();
    await expect(title).not.toHaveText(english!);
    await expect(page.locator("[lang='zh-CN'] [data-step]").first()).toHaveAttribute("data-state", "passed");
    await expect(first.getByTestId("step-state")).toContainText("已通过");
    await page.reload();
    await expect(page.getByTestId("lang-zh-CN")).toHaveAttribute("aria-pressed", "true");

    // Export, start over, import: the step is passed again.
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "导出进度" }).click();
    const file = await (await download).path();
    const exported = JSON.parse(readFileSync(file, "utf8"));
    expect(exported.format).toBe("wirelab-progress");
    expect(Object.keys(exported.lessons[slug].steps)).toHaveLength(1);
    const progress: Array<{ lesson: string; step: string; passed: boolean }> = [];
    await page.exposeFunction("recordProgress", (e: { lesson: string; step: string; passed: boolean }) => progress.push(e));
    await page.evaluate(() => window.addEventListener("wirelab:progress", (e) => (window as unknown as { recordProgress: (d: unknown) => void }).recordProgress((e as CustomEvent).detail)));
    await page.getByRole("button", { name: "重新开始本课" }).click();
    // Starting over must not let the old trace pass the step again.
    await settle(page);
    await expect(page.locator("[data-step]").first()).toHaveAttribute("data-state", "active");
    await page.getByTestId("progress-import").setInputFiles(file);
    await expect(page.locator("[data-step]").first()).toHaveAttribute("data-state", "passed");
    await expect.poll(() => progress.map((p) => p.passed)).toEqual([false, true]);
    expect(errors).toEqual([]);
  });
});

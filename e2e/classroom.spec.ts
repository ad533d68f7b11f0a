import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { startLabProcess, type LabProcess } from "../test/helpers/lab-process";
import { studentApi, teacherApi } from "../test/helpers/classroom";
import { arrowLabels } from "./helpers";

/**
 * A class in three browsers — the teacher and two students — on a lab of
 * its own (free ports, its own DATA_DIR), so the test can kill it with
 * SIGKILL in the middle of the class and start it again.
 */
const TOKEN = "e2e-teacher-token-0123456789";
let lab: LabProcess | undefined;

test.afterAll(async () => {
  await lab?.stop("SIGKILL");
});

async function sessionOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === "wl_session");
  expect(cookie, "the student has a session cookie").toBeDefined();
  return cookie!.value;
}

async function faultLabels(baseUrl: string, session: string): Promise<string[]> {
  const res = await fetch(`${baseUrl}/rest/lab/faults`, { headers: { "x-lab-session": session } });
  const body = (await res.json()) as { rules?: Array<{ label: string }> };
  return (body.rules ?? []).map((r) => r.label);
}

async function joinAs(page: Page, url: string, code: string | undefined, name: string) {
  await page.goto(url);
  if (code) await page.getByTestId("join-code").fill(code);
  await page.getByTestId("join-name").fill(name);
  await page.getByRole("button", { name: "Join", exact: true }).click();
  await expect(page.getByTestId("joined")).toContainText(`You're in, ${name}`);
  await expect(page.getByTestId("resume-code")).toHaveText(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
}

async function reportByHand(page: Page, step: number) {
  const details = page.locator("details", { hasText: "report a lesson check by hand" });
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator("summary").click();
  await page.getByTestId("try-step").fill(String(step));
  await page.getByRole("button", { name: "Report" }).click();
  await expect(page.getByTestId("try-outcome")).toHaveText("Saved: your teacher sees it.");
}

test("a class: students join, the dashboard fills in live, a drill reaches the room only, and the store survives a restart", async ({ browser }) => {
  test.setTimeout(300_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "wirelab-e2e-class-"));
  lab = await startLabProcess({ TEACHER_TOKEN: TOKEN, DATA_DIR: dataDir }, { pages: true });
  const base = lab.httpUrl;

  const teacherCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const adaCtx = await browser.newContext();
  const bobCtx = await browser.newContext();
  const teacher = await teacherCtx.newPage();
  const ada = await adaCtx.newPage();
  const bob = await bobCtx.newPage();

  // The teacher logs in and creates a room.
  await teacher.goto(`${base}/teach`);
  await teacher.getByTestId("teacher-token").fill("not the token");
  await teacher.getByRole("button", { name: "Open the dashboard" }).click();
  await expect(teacher.getByText(/not the teacher token/)).toBeVisible();
  await teacher.getByTestId("teacher-token").fill(TOKEN);
  await teacher.getByRole("button", { name: "Open the dashboard" }).click();
  await teacher.getByPlaceholder("New room, e.g. Period 3").fill("Period 3");
  await teacher.getByRole("button", { name: "Create room" }).click();
  const code = (await teacher.getByTestId("room-code").textContent())!.trim();
  expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
  await expect(teacher.getByTestId("qr-code").first()).toBeVisible();
  await expect(teacher.getByText(`${base}/join?code=${code}`)).toBeVisible();

  // Two students join: one by the link (code filled in), one typing the code.
  await joinAs(ada, `${base}/join?code=${code}`, undefined, "Ada");
  await joinAs(bob, `${base}/join`, code.toLowerCase(), "Bob");
  const roster = teacher.getByTestId("roster");
  await expect(roster.getByTestId("roster-row")).toHaveCount(2);
  await expect(roster).toContainText("Ada");
  await expect(roster).toContainText("Bob");

  // Progress appears live on the dashboard.
  await reportByHand(ada, 1);
  const summary = teacher.getByTestId("class-summary");
  await expect(summary).toContainText("01-first-call step 1");
  await expect(summary).toContainText("1 of 2 passed");
  await reportByHand(bob, 1);
  await expect(summary).toContainText("2 of 2 passed");
  await expect(roster.getByTestId("roster-row").filter({ hasText: "Ada" })).toContainText("01·1");

  // Someone outside the room: a student of another room, and a session in no class.
  const t = teacherApi(base, TOKEN);
  const otherRoom = (await t.createRoom("Other room")).body;
  const eve = studentApi(base);
  await eve.join(otherRoom.code, "Eve");
  const outsider = "outsiderpage1";
  await fetch(`${base}/rest/users/1`, { headers: { "x-lab-session": outsider } });
  await fetch(`${base}/rest/users/1`, { headers: { "x-lab-session": eve.current()! } });

  // The students open the playground (their sandboxes and trace streams are live).
  for (const page of [ada, bob]) {
    await page.goto(`${base}/playground`);
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    await expect(page.getByTestId("class-banner")).toContainText("Period 3");
  }
  const adaSession = await sessionOf(adaCtx);
  const bobSession = await sessionOf(bobCtx);
  await expect(teacher.getByTestId("room-counts")).toContainText("2 online");
  // Each student places an order, so their session's own services (publisher and consumers) are connected to the broker.
  for (const page of [ada, bob]) {
    const order = await page.request.post(`${base}/rest/orders`, { data: { userId: 1, sku: "sku-book", quantity: 1 } });
    expect(order.status()).toBe(201);
  }

  // The fault drill: broker outage for 2 minutes, to the whole room.
  await teacher.getByLabel("Fault preset").selectOption("broker-outage");
  await teacher.getByLabel("Minutes").fill("2");
  await teacher.getByRole("button", { name: "Start drill" }).click();
  await expect(teacher.getByTestId("drill-status")).toContainText("Broker outage for 2 min");
  for (const [page, session] of [[ada, adaSession], [bob, bobSession]] as const) {
    await expect(page.getByTestId("drill-banner")).toContainText("Broker outage for 2 min");
    // Each student's own diagram shows the outage: the session's clients are refused with CONNACK 3.
    await expect.poll(async () => (await arrowLabels(page)).some((l) => l.includes("CONNACK 3")), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => faultLabels(base, session)).toEqual(["drill: broker outage"]);
  }
  // Read in Chinese, the banner follows the page's language switch (the drill's title is the teacher's words).
  await bob.getByTestId("lang-zh-CN").click();
  await expect(bob.getByRole("region", { name: "你的课堂" })).toContainText(/⚡ 老师发起的故障演练：Broker outage for 2 min——还剩 \d:\d\d/);
  await bob.getByTestId("lang-en").click();
  await expect(bob.getByRole("region", { name: "Your class" })).toContainText("Fault drill from your teacher");
  expect(await faultLabels(base, eve.current()!)).toEqual([]);
  expect(await faultLabels(base, outsider)).toEqual([]);
  await teacherCtx.newPage().then(async (p) => {
    // A teacher page at 1440 as well, for the screenshots.
    await p.setViewportSize({ width: 1440, height: 900 });
    await p.goto(`${base}/teach`);
    await expect(p.getByTestId("roster-row")).toHaveCount(2);
    await p.waitForTimeout(1_500);
    await p.screenshot({ path: test.info().outputPath("dashboard-1440.png"), fullPage: true });
    await p.close();
  });
  await teacher.screenshot({ path: test.info().outputPath("dashboard-1280.png"), fullPage: true });
  // The dashboard in Chinese: its own words switch, the room's and students' names and the drill's title stay.
  await teacher.getByTestId("lang-zh-CN").click();
  await expect(teacher.getByRole("heading", { name: "课堂", level: 1 })).toBeVisible();
  await expect(teacher.getByRole("columnheader", { name: "学生" })).toBeVisible();
  await expect(teacher.getByTestId("room-counts")).toContainText("2 名学生 · 2 人在线");
  await expect(teacher.getByTestId("drill-status")).toContainText(/Broker outage for 2 min.*还剩 \d:\d\d/);
  await expect(teacher.getByRole("button", { name: "立即解除" })).toBeVisible();
  await teacher.screenshot({ path: test.info().outputPath("dashboard-zh.png"), fullPage: true });
  await teacher.getByTestId("lang-en").click();

  // Lifted: the rules leave the students' sandboxes, the banners go.
  await teacher.getByRole("button", { name: "Lift now" }).click();
  await expect(teacher.getByRole("button", { name: "Start drill" })).toBeVisible();
  for (const [page, session] of [[ada, adaSession], [bob, bobSession]] as const) {
    await expect(page.getByTestId("drill-banner")).toHaveCount(0);
    await expect.poll(() => faultLabels(base, session)).toEqual([]);
  }

  // The lab crashes in the middle of the class and comes back on the same DATA_DIR.
  const ports = lab.ports;
  await lab.stop("SIGKILL");
  lab = await startLabProcess({ TEACHER_TOKEN: TOKEN, DATA_DIR: dataDir }, { pages: true, ports });
  // The dashboard reconnects by itself and has everything.
  await expect(roster.getByTestId("roster-row")).toHaveCount(2, { timeout: 30_000 });
  await expect(summary).toContainText("2 of 2 passed", { timeout: 30_000 });
  // The students carry on: Ada passes step 2, and the dashboard sees it live.
  await ada.goto(`${base}/join`);
  await expect(ada.getByTestId("joined")).toContainText("Ada");
  await reportByHand(ada, 2);
  await expect(summary).toContainText("01-first-call step 2");
  await expect(summary.locator("li", { hasText: "step 2" })).toContainText("1 of 2 passed");

  await teacherCtx.close();
  await adaCtx.close();
  await bobCtx.close();
});

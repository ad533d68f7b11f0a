import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { arrowLabels, ready } from "./helpers";


async function sendMqtt(page: Page, qos: "0" | "1" | "2") {
  await page.getByLabel("MQTT", { exact: true }).check();
  await page.getByRole("combobox", { name: /QoS of request and reply/ }).selectOption(qos);
  await page.getByRole("button", { name: /^Send GetUser over MQTT/ }).click();
  await expect(page.getByTestId("status")).toHaveText("ok");
}

test.describe("sequence diagram", () => {
  test("a QoS 1 request shows PUBLISH then PUBACK on every leg (MQTT 3.1.1 §4.3.2)", async ({ page }) => {
    await ready(page);
    await sendMqtt(page, "1");
    await expect
      .poll(async () => {
        const l = await arrowLabels(page);
        return [
          /^Browser → Broker: PUBLISH rpc\/.*QoS 1/,
          /^Broker → Browser: PUBACK #\d+/,
          /^Broker → UserService: PUBLISH rpc\/.*QoS 1/,
          /^UserService → Broker: PUBACK #\d+/,
          /^UserService → Broker: PUBLISH reply\/.*QoS 1/,
          /^Broker → Browser: PUBLISH reply\/.*QoS 1/,
          /^Browser → Broker: PUBACK #\d+/,
        ].filter((re) => !l.some((x) => re.test(x))).map(String);
      })
      .toEqual([]);
  });

  test("a QoS 2 request shows PUBREC, PUBREL and PUBCOMP (MQTT 3.1.1 §4.3.3)", async ({ page }) => {
    await ready(page);
    await sendMqtt(page, "2");
    await expect
      .poll(async () => {
        const l = await arrowLabels(page);
        return [
          /^Browser → Broker: PUBLISH rpc\/.*QoS 2/,
          /^Broker → Browser: PUBREC #\d+/,
          /^Browser → Broker: PUBREL #\d+/,
          /^Broker → Browser: PUBCOMP #\d+/,
        ].filter((re) => !l.some((x) => re.test(x))).map(String);
      })
      .toEqual([]);
  });

  test("the table view lists the same events as the diagram", async ({ page }) => {
    await ready(page);
    await page.getByRole("button", { name: /^Send GetUser over REST/ }).click();
    await expect(page.getByTestId("status")).toHaveText("200");
    await expect.poll(async () => (await arrowLabels(page)).some((l) => l.startsWith("Gateway → UserService: GetUser"))).toBe(true);
    const count = Number((await page.getByTestId("trace-count").textContent())!.match(/^(\d+)/)![1]);
    await page.getByRole("tab", { name: "Table" }).click();
    const table = page.getByRole("table");
    await expect(table).toContainText("Gateway");
    await expect(table).toContainText("UserService");
    await expect(table.locator("tbody tr")).toHaveCount(count);
  });

  test("export → import replays the same diagram with the server out of reach", async ({ page, context }) => {
    await ready(page);
    await page.getByRole("combobox", { name: "Call" }).selectOption("CreateOrder");
    await page.getByRole("button", { name: /^Send CreateOrder over REST/ }).click();
    await expect(page.getByTestId("status")).toHaveText("201");
    await expect.poll(async () => (await arrowLabels(page)).filter((l) => l.includes("PUBACK")).length).toBeGreaterThanOrEqual(3);
    await page.waitForTimeout(500);
    const before = (await arrowLabels(page)).sort();

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export the trace as JSON" }).click();
    const file = await (await download).path();
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved.format).toBe("wirelab-trace");
    expect(saved.version).toBe(1);

    await context.setOffline(true);
    await page.getByRole("button", { name: "Clear", exact: true }).click();
    await expect.poll(() => arrowLabels(page)).toEqual([]);
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: /^Import JSON…/ }).click();
    await (await chooser).setFiles(file);
    await page.getByRole("combobox", { name: "Speed" }).selectOption("4");
    await expect.poll(async () => (await arrowLabels(page)).sort(), { timeout: 20_000 }).toEqual(before);
    await context.setOffline(false);
  });
});

test("a REST call draws its four arrows in order: browser → gateway → service and back", async ({ page }) => {
  await ready(page);
  await page.getByRole("button", { name: /^Send GetUser over REST/ }).click();
  await expect(page.getByTestId("status")).toHaveText("200");
  const order = [/^Browser → Gateway: GET \/rest\/users\/123/, /^Gateway → UserService: GetUser/, /^UserService → Gateway: ok/, /^Gateway → Browser: 200/];
  await expect
    .poll(async () => {
      const labels = await arrowLabels(page);
      return order.map((re) => labels.findIndex((l) => re.test(l)));
    })
    .toEqual(expect.arrayContaining([0, 1, 2, 3].map(() => expect.any(Number))));
  const labels = await arrowLabels(page);
  const idx = order.map((re) => labels.findIndex((l) => re.test(l)));
  expect(idx.every((i) => i >= 0), JSON.stringify(labels)).toBe(true);
  expect([...idx].sort((a, b) => a - b)).toEqual(idx);
});

test("clicking an arrow opens the wire inspector with decoded protobuf fields", async ({ page }) => {
  await ready(page);
  await page.getByLabel("gRPC-web", { exact: true }).check();
  await page.getByRole("button", { name: /^Send GetUser over gRPC-web/ }).click();
  await expect(page.getByTestId("status")).toHaveText("ok");
  const reply = page.locator('svg [role="button"][aria-label^="UserService → Browser: ok (gRPC-web"]');
  await expect(reply).toHaveCount(1, { timeout: 10_000 });
  await reply.focus();
  await page.keyboard.press("Enter");
  const inspector = page.getByRole("complementary", { name: /^Wire inspector/ });
  await expect(inspector).toContainText("lab.v1.GetUserResponse");
  await expect(inspector).toContainText("张三");
  await expect(inspector).toContainText("zhangsan@example.com");
  await expect(inspector).toContainText(/grpc-status/);
  await page.screenshot({ path: "test-results/inspector.png", fullPage: true });
});

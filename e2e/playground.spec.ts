import { expect, test } from "@playwright/test";
import { arrowLabels, ready } from "./helpers";

// REST's answer is shown as its body came (seed 1's `"id": 123`); the others' as protobuf's JSON mapping (int64 as a string).
const modes = [
  { label: "REST", status: "200", arrow: /^Gateway → UserService: GetUser/, id: '"id": 123,' },
  { label: "Connect", status: "ok", arrow: /^Browser → UserService: GetUser \(Connect/, id: '"id": "123",' },
  { label: "gRPC-web", status: "ok", arrow: /^Browser → UserService: GetUser \(gRPC-web/, id: '"id": "123",' },
  { label: "MQTT", status: "ok", arrow: /^Broker → UserService: PUBLISH rpc\/lab\.v1\.UserService\/GetUser/, id: '"id": "123",' },
];

test.describe("playground", () => {
  test("calls GetUser in every mode and draws each call's hops", async ({ page }) => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await ready(page);
    for (const m of modes) {
      const clear = page.getByRole("button", { name: "Clear", exact: true });
      if (await clear.isEnabled()) await clear.click();
      await page.getByLabel(m.label, { exact: true }).check();
      await page.getByRole("button", { name: new RegExp(`^Send GetUser over ${m.label}`) }).click();
      const response = page.getByTestId("response");
      await expect(response.getByTestId("status")).toHaveText(m.status);
      await expect(response).toContainText("张三");
      await expect(response).toContainText(m.id);
      await expect(response).toContainText(/\d+\.\d ms/);
      await expect.poll(async () => (await arrowLabels(page)).some((l) => m.arrow.test(l)), { message: `an arrow matching ${m.arrow}` }).toBe(true);
    }
    const labels = await arrowLabels(page);
    expect(labels.some((l) => /^Broker → Browser: PUBACK #\d+/.test(l))).toBe(true);
    expect(errors).toEqual([]);
  });

  test("an order over REST reaches both consumers through the broker", async ({ page }) => {
    await ready(page);
    await page.getByRole("combobox", { name: "Call" }).selectOption("CreateOrder");
    await page.getByRole("button", { name: /^Send CreateOrder over REST/ }).click();
    await expect(page.getByTestId("status")).toHaveText("201");
    await expect
      .poll(async () => {
        const labels = await arrowLabels(page);
        return ["OrderService → Broker: PUBLISH events/order.created", "Broker → Inventory: PUBLISH events/order.created", "Broker → Notification: PUBLISH events/order.created", "stock sku-book 1000→999"].filter(
          (want) => !labels.some((l) => l.includes(want)),
        );
      })
      .toEqual([]);
  });

  test("compares REST, Connect and MQTT side by side", async ({ page }) => {
    await ready(page);
    await page.getByRole("button", { name: "Compare REST · Connect · MQTT" }).click();
    const panel = page.getByRole("region", { name: "Side by side" });
    await expect(panel).toContainText("REST · GetUser");
    await expect(panel).toContainText("Connect · GetUser");
    await expect(panel).toContainText("MQTT · GetUser");
  });

  test("after the QoS changes, a call's reply reaches the Browser once (one MQTT connection at a time)", async ({ page }) => {
    await ready(page);
    await page.getByLabel("MQTT", { exact: true }).check();
    const qos = page.getByRole("combobox", { name: /^QoS of request and reply/ });
    const replies = async () => (await arrowLabels(page)).filter((l) => /^Broker → Browser: PUBLISH reply\//.test(l)).length;
    for (const level of ["1", "2", "0"]) {
      await qos.selectOption(level);
      const clear = page.getByRole("button", { name: "Clear", exact: true });
      if (await clear.isEnabled()) await clear.click();
      await page.getByRole("button", { name: /^Send GetUser over MQTT/ }).click();
      await expect(page.getByTestId("response").getByTestId("status")).toHaveText("ok");
      await expect.poll(replies, { message: `QoS ${level}: the reply's delivery to the Browser` }).toBe(1);
      // Anything delivered late to a second subscriber would show up by now.
      await page.waitForTimeout(300);
      expect(await replies()).toBe(1);
    }
  });

  test("bad input gets a readable message in the page", async ({ page }) => {
    await ready(page);
    await page.getByRole("textbox", { name: "Input (JSON)" }).fill("{ nope");
    await page.getByRole("button", { name: /^Send GetUser/ }).click();
    await expect(page.getByTestId("input-error")).toContainText("not valid JSON");
  });

  test("shows a terminal command with the session filled in", async ({ page }) => {
    await ready(page);
    const session = (await page.getByTestId("session-id").textContent())!;
    await expect(page.getByTestId("command")).toContainText(`x-lab-session: ${session}`);
    await page.getByLabel("MQTT", { exact: true }).check();
    await expect(page.getByTestId("command")).toContainText(`-u ${session}`);
  });
});

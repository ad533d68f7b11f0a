import { expect, test } from "@playwright/test";

const modes = [
  { label: "REST", status: "200", server: "Gateway" },
  { label: "Connect", status: "ok", server: "UserService" },
  { label: "gRPC-web", status: "ok", server: "UserService" },
  { label: "MQTT", status: "ok", server: "Broker" },
];

test.describe("playground", () => {
  test("calls GetUser in every mode and shows the response and its trace", async ({ page }) => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto("/playground");
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    for (const m of modes) {
      await page.getByLabel(m.label, { exact: true }).check();
      await page.getByRole("button", { name: new RegExp(`^Send GetUser over ${m.label}`) }).click();
      const response = page.getByTestId("response");
      await expect(response.getByTestId("status")).toHaveText(m.status);
      await expect(response).toContainText("张三");
      await expect(response).toContainText(/\d+\.\d ms/);
      await expect(page.getByTestId("trace-list")).toContainText(m.server);
    }
    const list = page.getByTestId("trace-list");
    await expect(list).toContainText("Gateway → UserService");
    await expect(list).toContainText("PUBACK");
    expect(errors).toEqual([]);
  });

  test("an order over REST reaches both consumers through the broker", async ({ page }) => {
    await page.goto("/playground");
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    await page.getByRole("combobox", { name: "Call" }).selectOption("CreateOrder");
    await page.getByRole("button", { name: /^Send CreateOrder over REST/ }).click();
    await expect(page.getByTestId("status")).toHaveText("201");
    const list = page.getByTestId("trace-list");
    await expect(list).toContainText("OrderService → Broker");
    await expect(list).toContainText("Broker → Inventory");
    await expect(list).toContainText("Broker → Notification");
    await expect(list).toContainText("stock sku-book 1000→999");
  });

  test("bad input gets a readable message in the page", async ({ page }) => {
    await page.goto("/playground");
    await page.getByRole("textbox", { name: "Input (JSON)" }).fill("{ nope");
    await page.getByRole("button", { name: /^Send GetUser/ }).click();
    await expect(page.getByTestId("input-error")).toContainText("not valid JSON");
  });

  test("shows a terminal command with the session filled in", async ({ page }) => {
    await page.goto("/playground");
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    const session = (await page.getByTestId("session-id").textContent())!;
    await expect(page.getByTestId("command")).toContainText(`x-lab-session: ${session}`);
    await page.getByLabel("MQTT", { exact: true }).check();
    await expect(page.getByTestId("command")).toContainText(`-u ${session}`);
  });
});

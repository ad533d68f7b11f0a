import { expect, test, type Page } from "@playwright/test";
import { collectErrors, ready } from "./helpers";

/**
 * The playground and the join-a-class page in Chinese: the switch changes
 * the page at once, the choice is remembered (a cookie the server renders
 * in), and the page still works translated.
 */

async function localeCookie(page: Page): Promise<string | undefined> {
  return (await page.context().cookies()).find((c) => c.name === "wirelab-locale")?.value;
}

test.describe("pages in Chinese", () => {
  test.describe.configure({ mode: "parallel" });

  test("the playground switches to Chinese, stays so after a reload, and still makes a call", async ({ page }) => {
    const errors = collectErrors(page);
    await ready(page);
    await expect(page.getByRole("heading", { name: "Make a call" })).toBeVisible();
    await expect(page.getByTestId("lang-en")).toHaveAttribute("aria-pressed", "true");

    await page.getByTestId("lang-zh-CN").click();
    await expect(page.getByRole("heading", { name: "发起调用" })).toBeVisible();
    await expect(page.getByRole("button", { name: "用 REST 发送 GetUser" })).toBeVisible();
    await expect(page.getByRole("textbox", { name: "输入（JSON）" })).toBeVisible();
    await expect(page.locator(".playground")).toHaveAttribute("lang", "zh-CN");
    expect(await localeCookie(page)).toBe("zh-CN");

    await page.reload();
    await expect(page.getByTestId("session-id")).toHaveText(/^[a-z0-9]{12}$/);
    await expect(page.getByTestId("lang-zh-CN")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("heading", { name: "发起调用" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Make a call" })).toHaveCount(0);

    // One REST GetUser in Chinese: the answer is shown, framed in Chinese.
    await page.getByLabel("REST", { exact: true }).check();
    await page.getByRole("button", { name: "用 REST 发送 GetUser" }).click();
    const response = page.getByTestId("response");
    await expect(response.getByTestId("status")).toHaveText("200");
    await expect(response).toContainText("张三");
    await expect(response).toContainText(/\d+\.\d ms 往返/);
    await expect(page.getByTestId("trace-count")).toContainText("个追踪事件");
    // The trace viewer's own controls speak Chinese too; the trace's text (participants, summaries) stays as recorded.
    await expect(page.getByRole("button", { name: "❚❚ 暂停" })).toBeVisible();
    await expect(page.getByRole("button", { name: "把追踪导出为 JSON" })).toBeVisible();
    await expect(page.getByRole("tab", { name: "时序图" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("group", { name: "只显示这些事件类型" })).toContainText("发出请求");
    await expect(page.getByRole("list", { name: "图例" })).toContainText("调用（请求）");
    await expect(page.getByRole("status").filter({ hasText: /^实时 · \d+ 个事件$/ })).toBeVisible();
    await expect(page.getByRole("group", { name: "缩放时间轴" })).toBeVisible();
    await page.getByRole("tab", { name: "表格" }).click();
    await expect(page.getByRole("columnheader", { name: /发送方/ })).toBeVisible();
    await expect(page.getByRole("search", { name: "筛选追踪事件" })).toBeVisible();
    await expect(page.getByRole("button", { name: "❚❚ Pause" })).toHaveCount(0);
    // The wire inspector of a row, in Chinese around what the bytes say.
    await page.getByRole("row").filter({ hasText: "发出响应" }).first().click();
    const inspector = page.getByRole("complementary", { name: /^报文检查器/ });
    await expect(inspector.getByRole("heading", { name: "概要" })).toBeVisible();
    await expect(inspector.getByRole("heading", { name: /^线路上的字节/ })).toBeVisible();
    await expect(inspector).toContainText("张三");
    await inspector.getByRole("button", { name: "关闭报文检查器" }).click();

    // The fault, defence and outcome panels, and a fault switched on from the Chinese panel.
    const faults = page.getByTestId("fault-panel");
    await expect(faults.getByRole("heading", { name: "故障" })).toBeVisible();
    await faults.getByRole("switch", { name: "延迟" }).check();
    await expect(page.getByRole("list", { name: "生效的故障" }).first()).toContainText("⚡ 延迟 500 ms 100 %");
    await expect(faults.getByRole("group", { name: "“延迟”的设置" }).getByRole("slider", { name: "延迟（滑块）" })).toBeVisible();
    await faults.getByRole("button", { name: "清除故障" }).click();
    await expect(page.getByRole("list", { name: "生效的故障" })).toHaveCount(0);
    const defences = page.getByTestId("defence-panel");
    await expect(defences.getByRole("heading", { name: "防御" })).toBeVisible();
    await expect(defences.getByRole("group", { name: "客户端" })).toContainText("每次调用的超时");
    const outcome = page.getByTestId("outcome-counters");
    await expect(outcome.getByRole("heading", { name: "结果" })).toBeVisible();
    await expect(outcome.getByRole("region", { name: "请求" })).toContainText("已收到");
    await expect(page.getByRole("button", { name: "重置沙箱" })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test("the join page switches to Chinese, stays so after a reload, and frames a refusal in Chinese", async ({ page }) => {
    const errors = collectErrors(page);
    await page.goto("/join");
    await expect(page.getByRole("heading", { name: "Join a class", level: 1 })).toBeVisible();

    await page.getByTestId("lang-zh-CN").click();
    await expect(page.getByRole("heading", { name: "加入课堂", level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: "加入", exact: true })).toBeVisible();
    await expect(page.getByRole("textbox", { name: "课堂代码" })).toBeVisible();
    expect(await localeCookie(page)).toBe("zh-CN");

    await page.reload();
    await expect(page.getByTestId("lang-zh-CN")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByRole("heading", { name: "加入课堂", level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: "在这台电脑上继续" })).toBeVisible();

    // A code no room has: the lab's refusal, as it sent it, after Chinese framing.
    await page.getByTestId("join-code").fill("ZZZZZZ");
    await page.getByTestId("join-name").fill("小明");
    await page.getByRole("button", { name: "加入", exact: true }).click();
    const refusal = page.getByRole("main").getByRole("alert");
    await expect(refusal).toContainText(/^加入失败：\S/);

    await page.getByTestId("lang-en").click();
    await expect(page.getByRole("heading", { name: "Join a class", level: 1 })).toBeVisible();
    await expect(refusal).not.toContainText("加入失败");
    // The refusal is a 4xx the browser logs as a failed resource; nothing else.
    expect(errors).toEqual([]);
  });
});

import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { OutcomeCountersSchema } from "../gen/lab/v1/fault_pb";
import { plural, summariseCounters, worstLevel } from "./outcome";

const counters = (init: Parameters<typeof create<typeof OutcomeCountersSchema>>[1]) => create(OutcomeCountersSchema, init);

describe("summariseCounters", () => {
  it("says nothing happened on a fresh sandbox", () => {
    const v = summariseCounters(counters({}));
    expect(v).toEqual([{ level: "info", text: expect.stringMatching(/^Nothing has happened yet/) }]);
  });

  it("names the orders charged twice when duplicates reach inventory", () => {
    const v = summariseCounters(counters({ ordersAccepted: 100n, inventoryDecrements: 131n, ordersAppliedTwice: 31n, notificationsSent: 100n, messagesDuplicated: 31n }));
    expect(v[0]).toEqual({ level: "bad", text: "Inventory decremented 131 times for 100 orders — 31 orders charged twice." });
    expect(v.map((l) => l.text)).toContain("31 messages delivered twice (at least once: the consumer must cope).");
    expect(worstLevel(v)).toBe("bad");
  });

  it("works out the doubles from the decrements when the server does not count them", () => {
    const v = summariseCounters(counters({ ordersAccepted: 1n, inventoryDecrements: 2n, notificationsSent: 2n }));
    expect(v[0].text).toBe("Inventory decremented 2 times for 1 order — 1 order charged twice.");
    expect(v[1]).toEqual({ level: "bad", text: "2 notifications sent for 1 order — 1 customer notified twice." });
  });

  it("tells lost orders from orders still in the backlog", () => {
    const lost = summariseCounters(counters({ ordersAccepted: 100n, inventoryDecrements: 80n, notificationsSent: 80n, messagesLost: 20n }));
    expect(lost[0]).toEqual({ level: "bad", text: "Inventory decremented 80 times for 100 orders — 20 orders never reached inventory (lost or dead-lettered)." });
    expect(lost[1]).toEqual({ level: "bad", text: "80 notifications sent for 100 orders — 20 customers never told." });
    expect(lost.map((l) => l.text)).toContain("20 messages lost on the way to a consumer (at most once: QoS 0, or the broker was down).");

    const unknown = summariseCounters(counters({ ordersAccepted: 54n, inventoryDecrements: 1n, notificationsSent: 0n }));
    expect(unknown.map((l) => [l.level, l.text])).toEqual([
      ["warn", "Inventory decremented 1 time for 54 orders — 53 orders not applied: still on the way, or lost."],
      ["warn", "0 notifications sent for 54 orders — 54 customers not told yet."],
    ]);

    const slow = summariseCounters(counters({ ordersAccepted: 100n, inventoryDecrements: 90n, notificationsSent: 100n, consumerBacklog: 10n }));
    expect(slow[0]).toEqual({ level: "warn", text: "Inventory decremented 90 times for 100 orders — 10 orders not applied yet — 10 messages still waiting in the consumers' backlog." });
  });

  it("reports doubles and losses together", () => {
    const v = summariseCounters(counters({ ordersAccepted: 100n, inventoryDecrements: 100n, ordersAppliedTwice: 5n, notificationsSent: 100n }));
    expect(v[0].text).toBe("Inventory decremented 100 times for 100 orders — 5 orders charged twice and 5 orders never applied.");
  });

  it("praises exactly-once and the defences that held", () => {
    const v = summariseCounters(
      counters({ ordersAccepted: 100n, inventoryDecrements: 100n, notificationsSent: 100n, messagesDuplicated: 30n, duplicatesSkipped: 30n, idempotentReplays: 12n, requestsRetried: 12n, requestsReceived: 112n, faultsApplied: 42n }),
      { placed: 100 },
    );
    expect(v.map((l) => [l.level, l.text])).toEqual([
      ["ok", "Inventory decremented 100 times for 100 orders: every order applied exactly once."],
      ["info", "30 messages delivered twice; consumer de-duplication skipped 30 repeats."],
      ["info", "12 retries sent."],
      ["ok", "12 repeated requests answered from the idempotency store instead of acting twice."],
      ["info", "42 faults injected."],
    ]);
    expect(worstLevel(v)).toBe("info");
  });

  it("compares what the page placed with what the service accepted", () => {
    const more = summariseCounters(counters({ ordersAccepted: 112n, inventoryDecrements: 112n, notificationsSent: 112n, requestsRetried: 12n }), { placed: 100 });
    expect(more[0]).toEqual({ level: "bad", text: "The service accepted 112 orders for the 100 placed here — 12 orders created twice by a repeated request." });
    const fewer = summariseCounters(counters({ ordersAccepted: 97n, inventoryDecrements: 97n, notificationsSent: 97n, requestsFailed: 3n, requestsReceived: 100n }), { placed: 100 });
    expect(fewer[0].text).toBe("3 orders of the 100 placed here were never accepted (the call failed or timed out before the service acted).");
    expect(fewer.map((l) => l.text)).toContain("3 requests of 100 failed.");
    // After a reload the sandbox keeps its orders: only those since count.
    const reloaded = summariseCounters(counters({ ordersAccepted: 110n, inventoryDecrements: 110n, notificationsSent: 110n }), { placed: 10, acceptedBefore: 100 });
    expect(reloaded.map((l) => l.level)).toEqual(["ok"]);
  });

  it("reports dead letters and crashes", () => {
    const v = summariseCounters(counters({ ordersAccepted: 10n, inventoryDecrements: 8n, notificationsSent: 10n, messagesDeadLettered: 2n, consumerCrashes: 4n }));
    expect(v.map((l) => l.text)).toEqual(
      expect.arrayContaining(["2 messages moved to the dead-letter queue after failing.", "Consumers crashed 4 times before acknowledging."]),
    );
  });
});

describe("plural", () => {
  it("counts in English with thousands separators", () => {
    expect(plural(1, "order")).toBe("1 order");
    expect(plural(1234, "order")).toBe("1,234 orders");
    expect(plural(2, "retry", "retries")).toBe("2 retries");
  });
});

describe("summariseCounters in Chinese", () => {
  it("says the same lines, with counts and measure words", () => {
    const c = counters({ ordersAccepted: 100n, inventoryDecrements: 131n, ordersAppliedTwice: 31n, notificationsSent: 100n, messagesDuplicated: 31n, duplicatesSkipped: 0n, requestsReceived: 120n, requestsFailed: 20n, requestsRetried: 5n, faultsApplied: 12n });
    const en = summariseCounters(c, { placed: 100 });
    const zh = summariseCounters(c, { placed: 100 }, "zh-CN");
    expect(zh.map((l) => l.level)).toEqual(en.map((l) => l.level));
    expect(zh.map((l) => l.text)).toEqual([
      "100 个订单扣减了库存 131 次——31 个订单被扣了两次。",
      "31 条消息被投递了两次（至少一次：消费者必须自己应对）。",
      "120 个请求中有 20 个失败。",
      "发出了 5 次重试。",
      "注入了 12 次故障。",
    ]);
    expect(summariseCounters(counters({}), {}, "zh-CN")[0].text).toMatch(/^还什么都没有发生/);
  });
});

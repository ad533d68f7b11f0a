import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { goals, mqttPackets, processedBy, relativeTopic, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type MqttAction } from "@/lib/lessons/types";

const order: CallAction = { call: "CreateOrder", mode: "rest", input: { userId: 1, sku: "sku-book", quantity: 1 } };
const ORDER_TOPIC = "events/order.created";
const logistics = (a: Omit<MqttAction, "client">): MqttAction => ({ client: "Logistics", ...a });
const shopStatus = { topic: "status/shop", payload: "open", qos: 1 as const };
/** A consumer that takes this long per message makes "the answer came first" unmistakable. */
const SLOW_MS = 2_000;

export default defineLesson({
  title: { en: "Queues and pub/sub", "zh-CN": "消息队列与发布-订阅" },
  summary: {
    en: "One order fans out to inventory and notification; the order service answers before they finish; an offline consumer catches up; a retained message greets latecomers.",
    "zh-CN": "一个订单扇出到库存和通知服务；订单服务不等它们处理完就返回；离线的消费者回来后补上错过的消息；保留消息迎接后来的订阅者。",
  },
  minutes: 18,
  faults: [
    {
      id: "slow-inventory",
      title: { en: "Inventory takes 2 s per order", "zh-CN": "库存服务每单耗时 2 秒" },
      rules: [{ kind: FaultKind.SLOW_CONSUMER, target: { consumer: "inventory" }, probability: 1, latencyMs: SLOW_MS, label: "slow inventory" }],
    },
  ],
  steps: [
    {
      id: "fan-out",
      title: { en: "One order, two consumers", "zh-CN": "一个订单，两个消费者" },
      widgets: ["call", "diagram", "counters", "command"],
      check: (ctx) => {
        const published = mqttPackets(ctx.events, { type: "PUBLISH", from: "OrderService", topic: ORDER_TOPIC });
        return goals([
          [{ en: "OrderService published order.created once", "zh-CN": "OrderService 发布了一次 order.created" }, published.length > 0],
          [{ en: "the broker delivered a copy to Inventory", "zh-CN": "Broker 向 Inventory 投递了一份" }, mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "Inventory", topic: ORDER_TOPIC }).length > 0],
          [{ en: "and another to Notification", "zh-CN": "也向 Notification 投递了一份" }, mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "Notification", topic: ORDER_TOPIC }).length > 0],
          [{ en: "Inventory took the stock down", "zh-CN": "Inventory 扣减了库存" }, processedBy(ctx.events, "Inventory").length > 0],
          [{ en: "Notification told the buyer", "zh-CN": "Notification 通知了买家" }, processedBy(ctx.events, "Notification").length > 0],
        ]);
      },
      hints: [{ en: "Place an order with the CreateOrder button.", "zh-CN": "用 CreateOrder 按钮下一个订单。" }],
      solution: [order],
      wrong: [{ call: "GetUser", mode: "rest", input: { id: 1 } }],
    },
    {
      id: "async",
      title: { en: "The producer does not wait", "zh-CN": "生产者不等待" },
      widgets: ["faults", "call", "diagram", "counters"],
      faults: ["slow-inventory"],
      check: (ctx) => {
        const answers = serverExchanges(ctx.events, { call: "CreateOrder" }).filter((x) => x.from !== "Gateway" && (x.httpStatus === 201 || x.code === "ok"));
        const stock = processedBy(ctx.events, "Inventory");
        const later = answers.some((a) => stock.some((p) => p.seq > a.lastSeq && p.timeUnixMs - a.endMs >= SLOW_MS / 2));
        return goals([
          [{ en: "the order was accepted (201)", "zh-CN": "订单已被接受（201）" }, answers.length > 0],
          [{ en: "Inventory finished at least a second after the answer", "zh-CN": "Inventory 在响应发出至少一秒后才处理完" }, later],
        ]);
      },
      hints: [
        { en: "Turn the slow-inventory fault on, then place an order and watch the diagram for two seconds.", "zh-CN": "打开“库存服务变慢”故障，下一个订单，然后盯着时序图看两秒。" },
        { en: "Turn the fault off when you have seen it.", "zh-CN": "看清楚之后，把故障关掉。" },
      ],
      solution: [{ applyFaults: "slow-inventory" }, order, { removeFaults: "slow-inventory" }],
      wrong: [{ clearFaults: true }, order],
    },
    {
      id: "offline",
      title: { en: "Offline, then catching up", "zh-CN": "离线，然后追上进度" },
      widgets: ["mqtt-client", "call", "diagram"],
      check: (ctx) => {
        const packets = mqttPackets(ctx.events);
        let best = 0;
        let missedSeen = 0;
        let wentAway = false;
        for (let i = 0; i < packets.length; i++) {
          const p = packets[i];
          if (p.from !== "Logistics" || p.mqtt?.packetType !== "DISCONNECT") continue;
          wentAway = true;
          const back = packets.findIndex((q, j) => j > i && q.from === "Logistics" && q.mqtt?.packetType === "CONNECT");
          const missed = packets.slice(i + 1, back < 0 ? undefined : back).filter((q) => q.from === "OrderService" && q.mqtt?.packetType === "PUBLISH" && relativeTopic(q.mqtt.topic) === ORDER_TOPIC).length;
          missedSeen = Math.max(missedSeen, missed);
          if (back < 0 || missed === 0) continue;
          // Deliveries after the reconnect, before any newer order was published.
          let caughtUp = 0;
          for (const q of packets.slice(back + 1)) {
            if (q.from === "OrderService" && q.mqtt?.packetType === "PUBLISH") break;
            if (q.from === "Broker" && q.to === "Logistics" && q.mqtt?.packetType === "PUBLISH" && relativeTopic(q.mqtt.topic) === ORDER_TOPIC) caughtUp++;
          }
          if (caughtUp >= missed) best = Math.max(best, caughtUp);
        }
        return goals([
          [{ en: "Logistics went offline (DISCONNECT)", "zh-CN": "Logistics 下线了（DISCONNECT）" }, wentAway],
          [{ en: "orders were published while it was away", "zh-CN": "它离线期间有订单被发布" }, missedSeen > 0],
          [{ en: "back online, it received every order it missed", "zh-CN": "重新上线后，它收到了错过的每一个订单" }, best > 0],
        ]);
      },
      hints: [
        { en: "Untick “Clean session” before you connect, subscribe, then disconnect.", "zh-CN": "连接之前取消勾选“清除会话”，订阅，然后断开。" },
        { en: "Place an order or two while Logistics is offline, then connect it again with “Clean session” still unticked.", "zh-CN": "Logistics 离线时下一两个订单，然后保持“清除会话”不勾选，再次连接。" },
      ],
      solution: [
        logistics({ mqtt: "connect", clean: false }),
        logistics({ mqtt: "subscribe", topic: ORDER_TOPIC, qos: 1 }),
        logistics({ mqtt: "disconnect" }),
        order,
        order,
        logistics({ mqtt: "connect", clean: false }),
      ],
      wrong: [
        logistics({ mqtt: "connect", clean: true }),
        logistics({ mqtt: "subscribe", topic: ORDER_TOPIC, qos: 1 }),
        logistics({ mqtt: "disconnect" }),
        order,
        logistics({ mqtt: "connect", clean: true }),
        logistics({ mqtt: "subscribe", topic: ORDER_TOPIC, qos: 1 }),
      ],
    },
    {
      id: "retained",
      title: { en: "A message for latecomers", "zh-CN": "留给后来者的消息" },
      widgets: ["mqtt-client", "diagram", "command"],
      check: (ctx) =>
        goals([
          [{ en: "a PUBLISH with RETAIN=1 reached the broker", "zh-CN": "一个 RETAIN=1 的 PUBLISH 到达了 Broker" }, mqttPackets(ctx.events, { type: "PUBLISH", to: "Broker", retain: true, topic: shopStatus.topic }).length > 0],
          [{ en: "a new subscriber got it at once, RETAIN=1", "zh-CN": "新的订阅者立刻收到了它，RETAIN=1" }, mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", retain: true, topic: shopStatus.topic }).length > 0],
        ]),
      hints: [
        { en: "Connect Shop and publish first; only then connect Dashboard and subscribe.", "zh-CN": "先连接 Shop 并发布消息，然后再连接 Dashboard 并订阅。" },
        { en: "A Dashboard that was already subscribed gets the message live, with RETAIN=0: disconnect it and subscribe again.", "zh-CN": "如果 Dashboard 早就订阅了，它会实时收到消息，RETAIN=0：先断开，再重新订阅。" },
      ],
      solution: [
        { mqtt: "connect", client: "Shop" },
        { mqtt: "publish", client: "Shop", ...shopStatus, retain: true },
        { mqtt: "disconnect", client: "Dashboard" },
        { mqtt: "connect", client: "Dashboard" },
        { mqtt: "subscribe", client: "Dashboard", topic: "status/#", qos: 1 },
      ],
      wrong: [
        { mqtt: "connect", client: "Shop" },
        { mqtt: "publish", client: "Shop", ...shopStatus, retain: false },
        { mqtt: "connect", client: "Dashboard" },
        { mqtt: "subscribe", client: "Dashboard", topic: "status/#", qos: 1 },
      ],
    },
  ],
});

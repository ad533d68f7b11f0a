import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { EventKind, Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { counterDelta, faultHits, goals, mqttPackets, relativeTopic, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction } from "@/lib/lessons/types";

const ORDER_TOPIC = "events/order.created";
const order: CallAction = { call: "CreateOrder", mode: "rest", input: { userId: 1, sku: "sku-book", quantity: 1 } };
/**
 * Fault rules draw from their own seeded sequence (server/faults/rng.ts):
 * with seed 138 a 1-in-2 rule hits its first draw (0.14) and misses the
 * next four (0.79, 0.81, 0.57, 0.98). So the first order fails for sure
 * and the re-delivery that follows goes through, every run.
 */
const FIRST_ONE = { probability: 0.5, seed: 138n };

const packets = (events: readonly TraceEvent[], type: string, from: string, to: string) =>
  mqttPackets(events, { type, from, to }).filter((p) => type !== "PUBLISH" || relativeTopic(p.mqtt!.topic) === ORDER_TOPIC);

/** The acknowledgements of a publisher's PUBLISH, in order: [PUBACK] at QoS 1, [PUBREC, PUBREL, PUBCOMP] at QoS 2. */
function handshake(events: readonly TraceEvent[], publish: TraceEvent, publisher: string): string[] {
  const id = publish.mqtt!.packetId;
  return mqttPackets(events)
    .filter((p) => p.seq > publish.seq && p.mqtt!.packetId === id && ["PUBACK", "PUBREC", "PUBREL", "PUBCOMP"].includes(p.mqtt!.packetType))
    .filter((p) => (p.mqtt!.packetType === "PUBREL" ? p.from === publisher : p.to === publisher))
    .map((p) => p.mqtt!.packetType);
}

/**
 * Inventory's own ⚡ notes: a consumer fault is recorded by the consumer as
 * a FAULT event in its lifeline ("crashed after processing …", "processing
 * … failed"), without the rule's details.
 */
const inventoryNotes = (events: readonly TraceEvent[], what: RegExp) => events.filter((e) => e.kind === EventKind.FAULT && e.from === "Inventory" && what.test(e.summary));

/**
 * Whether the broker delivered to `consumer` a message with a Packet
 * Identifier it had delivered before a reconnect, flagged DUP=1 as MQTT
 * 3.1.1 §3.3.1.1 asks of a re-delivery.
 */
function redeliveredAfterReconnect(events: readonly TraceEvent[], consumer: string, after: bigint): boolean {
  const deliveries = packets(events, "PUBLISH", "Broker", consumer);
  const connects = mqttPackets(events, { type: "CONNECT", from: consumer });
  return deliveries.some(
    (first) =>
      first.seq < after &&
      deliveries.some((again) => again.seq > after && again.mqtt!.packetId === first.mqtt!.packetId && again.mqtt!.dup && connects.some((c) => c.seq > first.seq && c.seq < again.seq)),
  );
}

export default defineLesson({
  title: { en: "Acknowledgements and QoS", "zh-CN": "确认机制与 QoS" },
  summary: {
    en: "Watch QoS 0, 1 and 2 on the wire; crash a consumer before its acknowledgement and see the broker deliver again — or lose it; and see the order service wait for its PUBACK.",
    "zh-CN": "在线路上看 QoS 0、1、2 的报文流程；让消费者在确认前崩溃，看 Broker 重新投递，或者把消息弄丢；再看订单服务如何等待 PUBACK。",
  },
  minutes: 20,
  faults: [
    {
      id: "inventory-crash",
      title: { en: "Inventory crashes after its work, before its PUBACK (1 in 2, the first order for sure)", "zh-CN": "库存服务干完活、发 PUBACK 之前崩溃（二分之一，第一单必中）" },
      rules: [{ kind: FaultKind.CONSUMER_CRASH, target: { consumer: "inventory" }, ...FIRST_ONE, label: "inventory crash" }],
    },
    {
      id: "inventory-fails",
      title: { en: "Inventory fails mid-message, no PUBACK (1 in 2, the first order for sure)", "zh-CN": "库存服务处理到一半失败，不发 PUBACK（二分之一，第一单必中）" },
      rules: [{ kind: FaultKind.ERROR, target: { consumer: "inventory" }, ...FIRST_ONE, label: "inventory fails" }],
    },
    {
      id: "puback-lost",
      title: { en: "The broker's PUBACK to OrderService is lost (1 in 2, the first order for sure)", "zh-CN": "Broker 发给 OrderService 的 PUBACK 丢失（二分之一，第一单必中）" },
      rules: [{ kind: FaultKind.PUBACK_LOSS, target: { mode: Mode.MQTT, topic: "events/#" }, ...FIRST_ONE, label: "puback lost" }],
    },
  ],
  defences: [
    { id: "qos-0", title: { en: "OrderCreated at QoS 0", "zh-CN": "OrderCreated 用 QoS 0" }, defences: { eventQos: 0 } },
    { id: "qos-1", title: { en: "OrderCreated at QoS 1 (default)", "zh-CN": "OrderCreated 用 QoS 1（默认）" }, defences: { eventQos: 1 } },
    { id: "qos-2", title: { en: "OrderCreated at QoS 2", "zh-CN": "OrderCreated 用 QoS 2" }, defences: { eventQos: 2 } },
    { id: "clean-session", title: { en: "Consumers with a clean session", "zh-CN": "消费者使用清除会话" }, defences: { persistentSession: false } },
    { id: "persistent-session", title: { en: "Consumers with a persistent session (default)", "zh-CN": "消费者使用持久会话（默认）" }, defences: { persistentSession: true } },
  ],
  steps: [
    {
      id: "qos-levels",
      title: { en: "Three levels, three packet flows", "zh-CN": "三个等级，三种报文流程" },
      widgets: ["defences", "call", "diagram"],
      defences: ["qos-0", "qos-1", "qos-2"],
      check: (ctx) => {
        const published = packets(ctx.events, "PUBLISH", "OrderService", "Broker");
        const at = (qos: number) => published.filter((p) => p.mqtt!.qos === qos);
        const flow = (qos: number, want: string[]) => at(qos).some((p) => handshake(ctx.events, p, "OrderService").join(" ").startsWith(want.join(" ")));
        return goals([
          [{ en: "QoS 0: one PUBLISH and nothing back", "zh-CN": "QoS 0：一个 PUBLISH，没有任何回应" }, at(0).length > 0],
          [{ en: "QoS 1: PUBLISH, then PUBACK with its Packet Identifier", "zh-CN": "QoS 1：PUBLISH，然后是带同一报文标识符的 PUBACK" }, flow(1, ["PUBACK"])],
          [{ en: "QoS 2: PUBLISH, PUBREC, PUBREL, PUBCOMP", "zh-CN": "QoS 2：PUBLISH、PUBREC、PUBREL、PUBCOMP" }, flow(2, ["PUBREC", "PUBREL", "PUBCOMP"])],
        ]);
      },
      hints: [
        { en: "Pick a QoS, place an order, look at the packets between OrderService and the Broker; then the next QoS.", "zh-CN": "选一个 QoS，下一单，看 OrderService 和 Broker 之间的报文；然后换下一个 QoS。" },
        { en: "End on QoS 1, the lab's default, before you go on.", "zh-CN": "继续之前，切回实验室默认的 QoS 1。" },
      ],
      solution: [{ applyDefences: "qos-0" }, order, { applyDefences: "qos-2" }, order, { applyDefences: "qos-1" }, order],
      wrong: [{ applyDefences: "qos-1" }, order],
    },
    {
      id: "crash-before-ack",
      title: { en: "A consumer crashes before its acknowledgement", "zh-CN": "消费者在确认之前崩溃" },
      widgets: ["faults", "call", "diagram", "counters"],
      faults: ["inventory-crash"],
      check: (ctx) => {
        const crashes = inventoryNotes(ctx.events, /crashed/);
        return goals([
          [{ en: "Inventory crashed after taking the stock down, before its PUBACK", "zh-CN": "Inventory 扣完库存、发 PUBACK 之前崩溃了" }, crashes.length > 0],
          [
            { en: "it reconnected and the broker delivered the same message again (same Packet Identifier, DUP=1)", "zh-CN": "它重新连上后，Broker 把同一条消息又投递了一次（报文标识符相同，DUP=1）" },
            crashes.some((c) => redeliveredAfterReconnect(ctx.events, "Inventory", c.seq)),
          ],
          [{ en: "one order, two stock decrements", "zh-CN": "一个订单，库存扣了两次" }, counterDelta(ctx.counters, ctx.baseline, "ordersAppliedTwice") > 0],
        ]);
      },
      hints: [
        { en: "Turn the crash on, place one order and watch Inventory's lifeline for a second.", "zh-CN": "打开崩溃故障，下一单，盯着 Inventory 的生命线看一秒钟。" },
        { en: "Turn the fault off when you have seen the second delivery.", "zh-CN": "看到第二次投递之后，把故障关掉。" },
      ],
      solution: [{ applyFaults: "inventory-crash" }, order, { wait: 1500 }, { removeFaults: "inventory-crash" }],
      wrong: [{ removeFaults: "inventory-crash" }, order],
    },
    {
      id: "clean-session-loss",
      title: { en: "With a clean session, the message is gone", "zh-CN": "换成清除会话，消息就没了" },
      widgets: ["faults", "defences", "call", "diagram", "counters"],
      faults: ["inventory-fails"],
      defences: ["clean-session", "persistent-session"],
      check: (ctx) => {
        const failures = inventoryNotes(ctx.events, /failed/);
        // Between a failure and the next order: Inventory came back, and nothing was delivered to it again.
        const lost = failures.some((failure) => {
          const next = packets(ctx.events, "PUBLISH", "OrderService", "Broker").find((p) => p.seq > failure.seq);
          const until = (e: TraceEvent) => e.seq > failure.seq && (next === undefined || e.seq < next.seq);
          const back = mqttPackets(ctx.events, { type: "CONNACK", to: "Inventory" }).some(until);
          const again = packets(ctx.events, "PUBLISH", "Broker", "Inventory").some(until);
          return back && !again;
        });
        const missing = counterDelta(ctx.counters, ctx.baseline, "ordersAccepted") - counterDelta(ctx.counters, ctx.baseline, "inventoryDecrements");
        return goals([
          [{ en: "Inventory failed mid-message, without a PUBACK", "zh-CN": "Inventory 处理到一半失败，没有发 PUBACK" }, failures.length > 0],
          [{ en: "it reconnected, and the broker did not deliver that message again", "zh-CN": "它重新连上了，Broker 却没有再投递那条消息" }, lost],
          [{ en: "an accepted order the stock never saw", "zh-CN": "订单已被接受，库存却始终没有扣减" }, missing > 0],
        ]);
      },
      hints: [
        { en: "Switch the consumers to a clean session first, then turn the failure on and place one order.", "zh-CN": "先把消费者切换成清除会话，再打开故障，下一单。" },
        { en: "Afterwards turn the fault off and switch back to the persistent session.", "zh-CN": "做完之后关掉故障，再切回持久会话。" },
      ],
      solution: [
        { applyDefences: "clean-session" },
        { applyFaults: "inventory-fails" },
        order,
        { wait: 1500 },
        { removeFaults: "inventory-fails" },
        { applyDefences: "persistent-session" },
      ],
      wrong: [{ applyDefences: "persistent-session" }, { applyFaults: "inventory-fails" }, order, { wait: 1500 }, { removeFaults: "inventory-fails" }],
    },
    {
      id: "publisher-confirm",
      title: { en: "The order service waits for its PUBACK", "zh-CN": "订单服务要等到 PUBACK" },
      widgets: ["faults", "call", "diagram", "counters"],
      faults: ["puback-lost"],
      check: (ctx) => {
        const losses = faultHits(ctx.events, "puback_loss");
        const published = packets(ctx.events, "PUBLISH", "OrderService", "Broker");
        const acks = mqttPackets(ctx.events, { type: "PUBACK", from: "Broker", to: "OrderService" });
        const answers = serverExchanges(ctx.events, { mode: "rest", call: "CreateOrder", httpStatus: 201 });
        // A PUBLISH sent again after a lost PUBACK, with the Packet Identifier of one sent before the loss.
        const resent = published.filter((p) => losses.some((l) => p.seq > l.seq && published.some((q) => q.seq < l.seq && q.mqtt!.packetId === p.mqtt!.packetId)));
        const acked = resent.filter((p) => acks.some((a) => a.seq > p.seq && a.mqtt!.packetId === p.mqtt!.packetId));
        const late = answers.some((x) => x.endMs - x.startMs >= 1_500 && acked.some((p) => p.seq < x.lastSeq && p.seq > x.firstSeq));
        return goals([
          [{ en: "the broker's PUBACK to OrderService was lost", "zh-CN": "Broker 发给 OrderService 的 PUBACK 丢了" }, losses.length > 0],
          [{ en: "OrderService re-sent the PUBLISH with the same Packet Identifier", "zh-CN": "OrderService 用同一个报文标识符重发了 PUBLISH" }, resent.length > 0],
          [{ en: "the broker acknowledged the re-send", "zh-CN": "Broker 确认了这次重发" }, acked.length > 0],
          [{ en: "only then did the order get its 201, seconds late", "zh-CN": "直到这时订单才拿到 201，晚了好几秒" }, late],
        ]);
      },
      hints: [
        { en: "Turn the lost PUBACK on and place one order; its 201 takes a couple of seconds.", "zh-CN": "打开“PUBACK 丢失”，下一单；它的 201 要过两三秒才回来。" },
        { en: "Look for the ERROR note on OrderService's lifeline, then the second PUBLISH.", "zh-CN": "在 OrderService 的生命线上找那条 ERROR 注释，再找第二个 PUBLISH。" },
      ],
      solution: [{ applyFaults: "puback-lost" }, order, { removeFaults: "puback-lost" }],
      wrong: [{ removeFaults: "puback-lost" }, order],
    },
  ],
});

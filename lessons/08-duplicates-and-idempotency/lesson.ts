import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { EventKind, Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { clientCallGroups, counterDelta, goals, mqttPackets, relativeTopic, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type DefencesInit } from "@/lib/lessons/types";

const ORDER_TOPIC = "events/order.created";
/** Each step orders its own product, so one step's stragglers never count in the next. */
const order = (sku: "sku-book" | "sku-mug" | "sku-tee"): CallAction => ({ call: "CreateOrder", mode: "rest", input: { userId: 1, sku, quantity: 1 } });
const ORDERS = 200;
const KEYED_CALLS = 10;
const RETRIES = { maxAttempts: 5, initialBackoffMs: 20, maxBackoffMs: 200, multiplier: 2, jitter: 1, budgetPercent: 0 } as const;
const labDefaults: DefencesInit = { consumerDedup: false, idempotencyKeys: false, retry: { maxAttempts: 1 } };

/** Inventory's notes on its lifeline: "stock sku-mug 1000→999", "duplicate msg-ord-… skipped (…)". */
const inventoryNotes = (events: readonly TraceEvent[], what: RegExp) => events.filter((e) => e.kind === EventKind.PROCESSED && e.from === "Inventory" && what.test(e.summary));

export default defineLesson({
  title: { en: "Duplicates and idempotency", "zh-CN": "重复与幂等" },
  summary: {
    en: "At least once means some things arrive twice: watch 30 % duplicate deliveries take the stock down too far, make the consumer de-duplicate, and stop retries from placing an order twice with idempotency keys.",
    "zh-CN": "至少一次，意味着有些东西会来两遍：看 30% 的重复投递把库存扣过头，让消费者去重，再用幂等键防止重试把一个订单下成两个。",
  },
  minutes: 20,
  faults: [
    {
      id: "duplicates",
      title: { en: "30 % of deliveries arrive twice (the copy with DUP=1)", "zh-CN": "30% 的投递会来两遍（副本带 DUP=1）" },
      rules: [{ kind: FaultKind.DUPLICATE, target: { mode: Mode.MQTT, topic: "events/#" }, probability: 0.3, seed: 99n, label: "duplicates 30 %" }],
    },
    {
      id: "lost-responses",
      title: { en: "40 % of CreateOrder answers are lost after the order was made", "zh-CN": "40% 的 CreateOrder 响应在订单建好之后丢失" },
      rules: [{ kind: FaultKind.LOST_RESPONSE, target: { mode: Mode.REST, method: "CreateOrder" }, probability: 0.4, seed: 2024n, label: "lost responses" }],
    },
  ],
  defences: [
    { id: "dedup-off", title: { en: "Consumers process every delivery (default)", "zh-CN": "消费者每次投递都处理（默认）" }, defences: { consumerDedup: false } },
    { id: "dedup-on", title: { en: "Consumers skip message ids they have seen", "zh-CN": "消费者跳过见过的消息 ID" }, defences: { consumerDedup: true } },
    { id: "retries", title: { en: "Retries (up to 5 attempts), no idempotency keys", "zh-CN": "重试（最多 5 次尝试），不带幂等键" }, defences: { idempotencyKeys: false, retry: RETRIES } },
    { id: "retries-keys", title: { en: "Retries (up to 5 attempts) with idempotency keys", "zh-CN": "重试（最多 5 次尝试），带幂等键" }, defences: { idempotencyKeys: true, retry: RETRIES } },
    { id: "lab-defaults", title: { en: "Back to the lab's defaults", "zh-CN": "恢复实验室默认值" }, defences: labDefaults },
  ],
  quizzes: {
    "needs-key": {
      question: {
        en: "A client retries every request that got no answer. Which of these can it send again without an idempotency key and be sure the result is the same?",
        "zh-CN": "某客户端会重试所有没拿到响应的请求。下面哪一个不带幂等键也能放心重发，结果保证不变？",
      },
      options: [
        { id: "post-order", text: { en: "POST /rest/orders", "zh-CN": "POST /rest/orders" } },
        { id: "post-user", text: { en: "POST /rest/users", "zh-CN": "POST /rest/users" } },
        { id: "put-user", text: { en: "PUT /rest/users/1 with the whole user", "zh-CN": "带完整用户数据的 PUT /rest/users/1" } },
      ],
      answer: "put-user",
      explanation: {
        en: "PUT replaces the resource with what it carries, so a second PUT leaves it as the first did: PUT, like GET and DELETE, is idempotent (RFC 9110 §9.2.2). Each POST here creates something new; only a key lets the server recognise a repeat.",
        "zh-CN": "PUT 用请求里的内容替换整个资源，第二次 PUT 的结果和第一次一样：PUT 和 GET、DELETE 一样是幂等的（RFC 9110 §9.2.2）。这里的每个 POST 都会新建一个东西，只有带上幂等键，服务端才认得出重复的请求。",
      },
    },
  },
  steps: [
    {
      id: "duplicates",
      title: { en: "At least once means duplicates", "zh-CN": "至少一次，就会有重复" },
      widgets: ["faults", "call", "counters", "diagram"],
      faults: ["duplicates"],
      check: (ctx) => {
        const orders = counterDelta(ctx.counters, ctx.baseline, "ordersAccepted");
        const decrements = counterDelta(ctx.counters, ctx.baseline, "inventoryDecrements");
        const copies = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "Inventory", dup: true }).filter((p) => relativeTopic(p.mqtt!.topic) === ORDER_TOPIC);
        return goals([
          [{ en: `${ORDERS} orders accepted (${orders})`, "zh-CN": `已接受 ${ORDERS} 个订单（目前 ${orders} 个）` }, orders >= ORDERS],
          [{ en: "copies reached Inventory with DUP=1", "zh-CN": "带 DUP=1 的副本到了 Inventory" }, copies.length > 0],
          [{ en: `more stock decrements than orders (${decrements} for ${orders})`, "zh-CN": `库存扣减次数比订单多（${orders} 个订单扣了 ${decrements} 次）` }, orders > 0 && decrements > orders],
        ]);
      },
      hints: [
        { en: "Turn the duplicates on, then press the 200 × order button and watch the counters.", "zh-CN": "打开重复投递，按下重复 200 次的下单按钮，盯着计数器。" },
        { en: "Turn the duplicates off when you have seen the counters.", "zh-CN": "看完计数器之后，关掉重复投递。" },
      ],
      solution: [{ applyFaults: "duplicates" }, { repeat: ORDERS, concurrency: 8, action: order("sku-book") }, { removeFaults: "duplicates" }],
      wrong: [{ removeFaults: "duplicates" }, { repeat: 20, concurrency: 8, action: order("sku-book") }],
    },
    {
      id: "dedup-consumer",
      title: { en: "A consumer that remembers", "zh-CN": "会记账的消费者" },
      widgets: ["faults", "defences", "call", "counters", "diagram"],
      faults: ["duplicates"],
      defences: ["dedup-on", "dedup-off"],
      check: (ctx) => {
        // De-duplication starts when the consumers reconnect after the switch: judge from each
        // Inventory CONNECT that precedes a skipped duplicate (de-duplication was on) to now.
        const connects = mqttPackets(ctx.events, { type: "CONNECT", from: "Inventory" }).map((c) => c.seq);
        const published = mqttPackets(ctx.events, { type: "PUBLISH", from: "OrderService", to: "Broker" }).filter((p) => relativeTopic(p.mqtt!.topic) === ORDER_TOPIC);
        const taken = inventoryNotes(ctx.events, /^stock sku-mug /);
        const skipped = inventoryNotes(ctx.events, /skipped/);
        const starts = new Set(skipped.map((s) => connects.filter((c) => c < s.seq).pop() ?? 0n));
        const runs = [...starts].map((start) => ({
          orders: published.filter((p) => p.seq > start).length,
          taken: taken.filter((p) => p.seq > start).length,
          skipped: skipped.filter((p) => p.seq > start).length,
        }));
        const good = runs.find((r) => r.orders >= ORDERS && r.taken === r.orders);
        const shown = good ?? runs.reduce((a, b) => (b.orders > a.orders ? b : a), { orders: 0, taken: 0, skipped: 0 });
        return goals([
          [{ en: `${ORDERS} orders with the consumers de-duplicating (${shown.orders})`, "zh-CN": `消费者去重期间下了 ${ORDERS} 个订单（目前 ${shown.orders} 个）` }, good !== undefined],
          [{ en: `Inventory skipped the duplicates (${shown.skipped})`, "zh-CN": `Inventory 跳过了重复消息（${shown.skipped} 条）` }, shown.skipped > 0],
          [{ en: `exactly one stock decrement per order (${shown.taken} for ${shown.orders})`, "zh-CN": `每个订单恰好扣一次库存（${shown.orders} 个订单扣了 ${shown.taken} 次）` }, good !== undefined],
        ]);
      },
      hints: [
        { en: "Turn the duplicates on again, switch the consumers to skipping ids they have seen, then press the 200 × button.", "zh-CN": "重新打开重复投递，把消费者切换成“跳过见过的消息 ID”，再按重复 200 次的按钮。" },
        { en: "The defence applies once the consumers reconnect, on the first order after the switch.", "zh-CN": "防护在消费者重新连接后生效，也就是切换后的第一个订单。" },
      ],
      solution: [{ applyFaults: "duplicates" }, { applyDefences: "dedup-on" }, { repeat: ORDERS, concurrency: 8, action: order("sku-mug") }, { removeFaults: "duplicates" }],
      wrong: [{ applyFaults: "duplicates" }, { applyDefences: "dedup-off" }, { repeat: 20, concurrency: 8, action: order("sku-mug") }],
    },
    {
      id: "idempotency-keys",
      title: { en: "Retries without a second order", "zh-CN": "重试，但不多下一单" },
      widgets: ["faults", "defences", "call", "counters", "diagram", "quiz"],
      faults: ["lost-responses"],
      defences: ["retries", "retries-keys", "lab-defaults"],
      check: (ctx) => {
        const reached = serverExchanges(ctx.events, { from: "Gateway", call: "CreateOrder" });
        const replays = new Set(ctx.events.filter((e) => e.kind === EventKind.PROCESSED && e.from === "OrderService" && /idempotency key/.test(e.summary)).map((e) => e.spanId));
        const calls = clientCallGroups(ctx.events, { mode: "rest", call: "CreateOrder" }).map((g) => {
          const mine = reached.filter((x) => g.spanIds.has(x.parentSpanId));
          const replayed = mine.filter((x) => replays.has(x.spanId)).length;
          return { created: mine.filter((x) => x.code === "ok").length - replayed, replayed, answered: g.last.status === "201" };
        });
        return goals([
          [{ en: "without keys: a lost answer, a retry, and one call placed two orders", "zh-CN": "不带幂等键：响应丢失、重试，一次调用下了两个订单" }, calls.some((c) => c.created >= 2)],
          [
            { en: "with keys: a retried call placed exactly one order and got the first answer back", "zh-CN": "带幂等键：重试过的调用恰好只下了一个订单，并拿回了第一次的响应" },
            calls.some((c) => c.created === 1 && c.replayed > 0 && c.answered),
          ],
          [{ en: "which request is safe to send again without a key", "zh-CN": "哪个请求不带幂等键也能放心重发" }, ctx.answers["needs-key"] === "put-user"],
        ]);
      },
      hints: [
        { en: "Turn the lost answers on, choose retries without keys and press the 10 × button; then the same with keys.", "zh-CN": "打开响应丢失，选“重试，不带幂等键”，按重复 10 次的按钮；再选带幂等键的，再按一次。" },
        { en: "Click a retried POST in the diagram to see its Idempotency-Key header; then answer the question.", "zh-CN": "在时序图里点开一个重试过的 POST，看它的 Idempotency-Key 请求头；然后回答问题。" },
        { en: "Finally turn the fault off and go back to the lab's defaults.", "zh-CN": "最后关掉故障，恢复实验室默认值。" },
      ],
      solution: [
        { applyFaults: "lost-responses" },
        { applyDefences: "retries" },
        { repeat: KEYED_CALLS, concurrency: 2, action: order("sku-tee") },
        { answer: "needs-key", choice: "put-user" },
        { applyDefences: "retries-keys" },
        { repeat: KEYED_CALLS, concurrency: 2, action: order("sku-tee") },
        { removeFaults: "lost-responses" },
        { applyDefences: "lab-defaults" },
      ],
      wrong: [{ applyFaults: "lost-responses" }, { applyDefences: "retries" }, { repeat: KEYED_CALLS, concurrency: 2, action: order("sku-tee") }, { answer: "needs-key", choice: "post-order" }],
    },
  ],
});

import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { EventKind, Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { clientCalls, goals, mqttPackets, relativeTopic, type ClientCallView } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type MqttAction, type RestAction } from "@/lib/lessons/types";

const ORDER_TOPIC = "events/order.created";
const order: CallAction = { call: "CreateOrder", mode: "rest", input: { userId: 1, sku: "sku-book", quantity: 1 } };
/** One button per setting, so both summaries stay on the page side by side. */
const getReused: RestAction = { rest: "GET", path: "/users/1" };
const getClosed: RestAction = { rest: "GET", path: "/users/2" };
/** Calls per measurement: enough for a median that means something. */
const RUN = 50;
/** Two instances of one service, both connecting with Shipping's client id, both reconnecting by themselves. */
const pod = (client: "PodA" | "PodB", a: Omit<MqttAction, "client">): MqttAction => ({ client, ...a });
const podConnect = (client: "PodA" | "PodB"): MqttAction => pod(client, { mqtt: "connect", as: "Shipping", clean: false, reconnect: true });

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

/** Raw GETs answered 200, by what the answer's Connection header said. */
function answersWith(events: readonly TraceEvent[], connection: "keep-alive" | "close"): ClientCallView[] {
  return clientCalls(events, { mode: "rest", call: "GetUser", status: "200" }).filter((c) => (c.headers.connection ?? "").toLowerCase() === connection);
}

export default defineLesson({
  title: { en: "Connections", "zh-CN": "连接" },
  summary: {
    en: "Measure a new connection per call against a reused one, watch MQTT's heartbeat keep an idle connection alive, survive a dropped connection, and see two instances with one client id throw each other out.",
    "zh-CN": "实测每次新建连接和复用连接的差别，看 MQTT 心跳如何让空闲连接保持存活，扛过一次断线，再看两个共用客户端标识符的实例如何互相踢下线。",
  },
  minutes: 20,
  faults: [
    {
      id: "link-reset",
      title: { en: "A delivery's connection is reset (1 in 2, the first one for sure)", "zh-CN": "投递时连接被重置（二分之一，第一次必中）" },
      rules: [{ kind: FaultKind.RESET, target: { mode: Mode.MQTT, topic: "events/#" }, probability: 0.5, seed: 138n, label: "link reset" }],
    },
  ],
  defences: [
    { id: "reuse-on", title: { en: "Reuse connections (default)", "zh-CN": "复用连接（默认）" }, defences: { reuseConnections: true } },
    { id: "reuse-off", title: { en: "A new connection per call (Connection: close)", "zh-CN": "每次调用新建连接（Connection: close）" }, defences: { reuseConnections: false } },
    { id: "keepalive-2s", title: { en: "MQTT keepalive 2 s", "zh-CN": "MQTT 心跳间隔 2 秒" }, defences: { keepaliveSeconds: 2 } },
    { id: "keepalive-30s", title: { en: "MQTT keepalive 30 s (default)", "zh-CN": "MQTT 心跳间隔 30 秒（默认）" }, defences: { keepaliveSeconds: 30 } },
  ],
  quizzes: {
    "handshake-cost": {
      question: {
        en: "Your service calls another one over HTTPS (TLS 1.3) across a network with a 40 ms round trip. About how much time does a new connection add before the request can even leave?",
        "zh-CN": "你的服务通过 HTTPS（TLS 1.3）调用另一个服务，网络往返时间是 40 毫秒。新建一条连接，大约要多花多少时间，请求才能发出去？",
      },
      options: [
        { id: "none", text: { en: "Nothing worth measuring, as on this machine.", "zh-CN": "几乎为零，和在本机上一样。" } },
        { id: "one-rtt", text: { en: "About 40 ms: one round trip.", "zh-CN": "约 40 毫秒：一个往返。" } },
        { id: "two-rtt", text: { en: "About 80 ms: one round trip for TCP, one for TLS 1.3.", "zh-CN": "约 80 毫秒：TCP 一个往返，TLS 1.3 再一个往返。" } },
        { id: "ten-rtt", text: { en: "About 400 ms.", "zh-CN": "约 400 毫秒。" } },
      ],
      answer: "two-rtt",
      explanation: {
        en: "TCP's three-way handshake takes one round trip before the client may send (RFC 9293 §3.5), and a full TLS 1.3 handshake one more (RFC 8446 §2); a DNS lookup can add another. A reused connection pays none of it. On loopback a round trip takes microseconds, which is why your two medians are so close.",
        "zh-CN": "TCP 三次握手要一个往返，客户端才能开始发送（RFC 9293 §3.5）；完整的 TLS 1.3 握手再要一个往返（RFC 8446 §2）；如果还要查 DNS，又得再加。复用的连接这些都省了。在本机回环上，一个往返只要几微秒，所以你测出的两个中位数才会那么接近。",
      },
    },
    "idle-keepalive": {
      question: {
        en: "A load balancer between a consumer and its broker forgets TCP connections that carried nothing for 60 s. Which MQTT keepalive keeps an idle consumer connected?",
        "zh-CN": "消费者和 Broker 之间有个负载均衡，会丢掉 60 秒内没有任何流量的 TCP 连接。MQTT 心跳间隔设成多少，空闲的消费者才能保持连接？",
      },
      options: [
        { id: "zero", text: { en: "0: keepalive off, so nothing disturbs the connection.", "zh-CN": "0：关掉心跳，就没有东西打扰连接了。" } },
        { id: "thirty", text: { en: "30 s: a PINGREQ every 30 s when idle.", "zh-CN": "30 秒：空闲时每 30 秒发一次 PINGREQ。" } },
        { id: "ninety", text: { en: "90 s: longer is gentler on the network.", "zh-CN": "90 秒：间隔越长，对网络越友好。" } },
      ],
      answer: "thirty",
      explanation: {
        en: "The heartbeat must come before any idle timeout on the path, so 30 s. With 90 s or 0 the balancer drops the connection silently, and the consumer finds out only when it next sends something. Keepalive also finds a dead peer: the broker closes a connection silent for 1.5 × keepalive, and a client closes one whose PINGRESP does not come (MQTT 3.1.1 §3.1.2.10).",
        "zh-CN": "心跳必须赶在路径上任何一个空闲超时之前，所以是 30 秒。设成 90 秒或 0，负载均衡会悄无声息地丢掉连接，消费者要等到下次发东西时才发现。心跳还能发现对端已死：Broker 会关闭 1.5 倍心跳间隔内毫无动静的连接，客户端等不到 PINGRESP 也会关闭连接（MQTT 3.1.1 §3.1.2.10）。",
      },
    },
  },
  steps: [
    {
      id: "reuse",
      title: { en: "Reuse a connection, or open a new one?", "zh-CN": "复用连接，还是每次新建？" },
      widgets: ["defences", "rest", "diagram", "quiz"],
      defences: ["reuse-on", "reuse-off"],
      check: (ctx) => {
        const kept = answersWith(ctx.events, "keep-alive");
        const closed = answersWith(ctx.events, "close");
        const ms = (calls: ClientCallView[]) => (calls.length > 0 ? `, median ${median(calls.map((c) => c.durationMs)).toFixed(1)} ms` : "");
        const msZh = (calls: ClientCallView[]) => (calls.length > 0 ? `，中位数 ${median(calls.map((c) => c.durationMs)).toFixed(1)} ms` : "");
        return goals([
          [{ en: `${RUN} answers on a reused connection (Connection: keep-alive): ${kept.length}${ms(kept)}`, "zh-CN": `${RUN} 个走复用连接的响应（Connection: keep-alive）：已有 ${kept.length} 个${msZh(kept)}` }, kept.length >= RUN],
          [{ en: `${RUN} answers that closed their connection (Connection: close): ${closed.length}${ms(closed)}`, "zh-CN": `${RUN} 个用完即关连接的响应（Connection: close）：已有 ${closed.length} 个${msZh(closed)}` }, closed.length >= RUN],
          [{ en: "what a new connection costs over a network", "zh-CN": "新建连接在真实网络上的代价" }, ctx.answers["handshake-cost"] === "two-rtt"],
        ]);
      },
      hints: [
        { en: "Press the first 50 × button with connections reused, then choose a new connection per call and press the second one.", "zh-CN": "先在复用连接的设置下按第一个“重复 50 次”按钮，再换成每次新建连接，按第二个。" },
        { en: "Switch back to reusing connections, then answer the question.", "zh-CN": "切回复用连接，然后回答问题。" },
      ],
      solution: [
        { applyDefences: "reuse-on" },
        { repeat: RUN, action: getReused },
        { applyDefences: "reuse-off" },
        { repeat: RUN, action: getClosed },
        { applyDefences: "reuse-on" },
        { answer: "handshake-cost", choice: "two-rtt" },
      ],
      wrong: [{ applyDefences: "reuse-on" }, { repeat: RUN, action: getReused }, { repeat: RUN, action: getClosed }, { answer: "handshake-cost", choice: "none" }],
    },
    {
      id: "keepalive",
      title: { en: "A heartbeat for idle connections", "zh-CN": "给空闲连接的心跳" },
      widgets: ["defences", "call", "diagram", "quiz"],
      defences: ["keepalive-2s", "keepalive-30s"],
      check: (ctx) => {
        const pings = mqttPackets(ctx.events, { type: "PINGREQ", to: "Broker" });
        const answered = pings.filter((p) => mqttPackets(ctx.events, { type: "PINGRESP", to: p.from }).some((r) => r.seq > p.seq));
        const steady = answered.some((p) => answered.some((q) => q.from === p.from && q.seq > p.seq && q.timeUnixMs - p.timeUnixMs >= 1_000 && q.timeUnixMs - p.timeUnixMs <= 5_000));
        return goals([
          [{ en: "an idle client sent PINGREQ and the broker answered PINGRESP", "zh-CN": "一个空闲的客户端发出 PINGREQ，Broker 回了 PINGRESP" }, answered.length > 0],
          [{ en: "and again a couple of seconds later, from the same client", "zh-CN": "两三秒后，同一个客户端又来了一次" }, steady],
          [{ en: "the keepalive that outlives a 60 s idle timeout", "zh-CN": "能扛过 60 秒空闲超时的心跳间隔" }, ctx.answers["idle-keepalive"] === "thirty"],
        ]);
      },
      hints: [
        { en: "Choose the 2 s keepalive, place one order (the services reconnect with it), then wait five seconds.", "zh-CN": "选 2 秒心跳，下一单（服务会用新设置重新连接），然后等五秒。" },
        { en: "Go back to 30 s afterwards: a 2 s heartbeat is noisy.", "zh-CN": "看完之后切回 30 秒：2 秒一次的心跳太吵了。" },
      ],
      solution: [{ applyDefences: "keepalive-2s" }, order, { wait: 5_500 }, { applyDefences: "keepalive-30s" }, { answer: "idle-keepalive", choice: "thirty" }],
      wrong: [{ applyDefences: "keepalive-30s" }, order, { wait: 3_000 }, { answer: "idle-keepalive", choice: "ninety" }],
    },
    {
      id: "reconnect",
      title: { en: "A connection dropped under you", "zh-CN": "连接在脚下断开" },
      widgets: ["faults", "call", "diagram"],
      faults: ["link-reset", "broker-outage"],
      check: (ctx) => {
        const drops = ctx.events.filter((e) => e.kind === EventKind.FAULT && (e.fault?.kind === "reset" || e.fault?.kind === "broker_down") && e.mode === Mode.MQTT);
        const deliveries = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker" }).filter((p) => relativeTopic(p.mqtt!.topic) === ORDER_TOPIC);
        const survived = ["Inventory", "Notification"].some((consumer) =>
          drops.some((d) => {
            const back = mqttPackets(ctx.events, { type: "CONNACK", to: consumer }).find((c) => c.seq > d.seq && c.mqtt!.returnCode === "0");
            const again = back && deliveries.find((p) => p.to === consumer && p.seq > back.seq);
            return again !== undefined && ctx.events.some((e) => e.kind === EventKind.PROCESSED && e.from === consumer && e.seq > again.seq);
          }),
        );
        const reconnected = ["Inventory", "Notification", "OrderService"].some((who) =>
          drops.some((d) => mqttPackets(ctx.events, { type: "CONNACK", to: who }).some((c) => c.seq > d.seq && c.mqtt!.returnCode === "0")),
        );
        return goals([
          [{ en: "a connection to the broker was dropped", "zh-CN": "一条到 Broker 的连接断了" }, drops.length > 0],
          [{ en: "the client reconnected by itself", "zh-CN": "客户端自己重新连上了" }, reconnected],
          [{ en: "the order still reached the consumer, after the reconnect", "zh-CN": "订单在重连之后依然送到了消费者手里" }, survived],
        ]);
      },
      hints: [
        { en: "Turn the connection reset on and place one order; follow the consumer whose connection was reset.", "zh-CN": "打开“连接被重置”，下一单；盯住连接被重置的那个消费者。" },
        { en: "Turn it off afterwards. The broker outage works too, but takes ten seconds.", "zh-CN": "看完之后关掉它。“Broker 宕机”也行，只是要等十秒。" },
      ],
      solution: [{ applyFaults: "link-reset" }, order, { wait: 1_500 }, { removeFaults: "link-reset" }],
      wrong: [{ removeFaults: "link-reset" }, order],
    },
    {
      id: "same-client-id",
      title: { en: "Two instances, one client id", "zh-CN": "两个实例，一个客户端标识符" },
      widgets: ["mqtt-client", "call", "diagram"],
      check: (ctx) => {
        const shipping = mqttPackets(ctx.events, { from: "Shipping" }).filter((p) => p.mqtt!.packetType === "CONNECT" || p.mqtt!.packetType === "DISCONNECT");
        // Four CONNECTs in a row, no DISCONNECT between: each new one threw the previous connection out.
        let fightEnd: bigint | undefined;
        for (let i = 0, run = 0; i < shipping.length && fightEnd === undefined; i++) {
          run = shipping[i].mqtt!.packetType === "CONNECT" ? run + 1 : 0;
          if (run >= 4) fightEnd = shipping[i].seq;
        }
        const connects = shipping.filter((p) => p.mqtt!.packetType === "CONNECT");
        const settled = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "Shipping" }).some(
          (p) =>
            fightEnd !== undefined &&
            p.seq > fightEnd &&
            relativeTopic(p.mqtt!.topic) === ORDER_TOPIC &&
            !connects.some((c) => c.seq < p.seq && p.timeUnixMs - c.timeUnixMs < 1_500),
        );
        return goals([
          [{ en: "PodA and PodB threw each other out: four CONNECTs as Shipping in a row", "zh-CN": "PodA 和 PodB 互相踢下线：以 Shipping 的身份连续四次 CONNECT" }, fightEnd !== undefined],
          [{ en: "with one pod stopped, Shipping stayed connected and got an order", "zh-CN": "停掉一个 Pod 之后，Shipping 稳定在线，并收到了订单" }, settled],
        ]);
      },
      hints: [
        { en: "Connect PodA and subscribe; then connect PodB and watch both for a few seconds.", "zh-CN": "连接 PodA 并订阅；然后连接 PodB，盯着两个客户端看几秒钟。" },
        { en: "Disconnect PodB, wait a few seconds, then place an order.", "zh-CN": "断开 PodB，等几秒，再下一单。" },
      ],
      solution: [
        podConnect("PodA"),
        pod("PodA", { mqtt: "subscribe", topic: ORDER_TOPIC, qos: 1 }),
        podConnect("PodB"),
        { wait: 4_500 },
        pod("PodB", { mqtt: "disconnect" }),
        { wait: 3_000 },
        order,
        { wait: 500 },
        pod("PodA", { mqtt: "disconnect" }),
      ],
      wrong: [podConnect("PodA"), pod("PodA", { mqtt: "subscribe", topic: ORDER_TOPIC, qos: 1 }), order, { wait: 500 }, pod("PodA", { mqtt: "disconnect" })],
    },
  ],
});

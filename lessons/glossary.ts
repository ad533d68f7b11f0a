import type { Locale } from "@/lib/lessons/types";

/**
 * The lab's terms in both languages, one name each, so every lesson says
 * the same thing the same way. Prose marks a term with `<Term id="…" />`
 * (the page shows the definition on hover and focus); /glossary lists
 * them all. Add a term here before a lesson uses it; keep definitions to
 * one or two sentences, true of what the lab does.
 */
export interface GlossaryEntry {
  term: string;
  definition: string;
}

export const GLOSSARY: Readonly<Record<string, Readonly<Record<Locale, GlossaryEntry>>>> = {
  "request-response": {
    en: { term: "request–response", definition: "The caller sends a request and waits for the one answer to it. REST and unary RPC work this way." },
    "zh-CN": { term: "请求-响应", definition: "调用方发出请求，然后等待对应的那一个响应。REST 和一元 RPC 都是这种模式。" },
  },
  rest: {
    en: { term: "REST", definition: "Resources named by URLs and acted on with HTTP methods (GET, POST, PUT, DELETE), usually with JSON bodies." },
    "zh-CN": { term: "REST", definition: "用 URL 标识资源，用 HTTP 方法（GET、POST、PUT、DELETE）操作资源，通常以 JSON 作为消息体。" },
  },
  rpc: {
    en: { term: "RPC", definition: "Remote procedure call: calling a function of another service as if it were local, through a typed contract." },
    "zh-CN": { term: "RPC（远程过程调用）", definition: "像调用本地函数一样调用另一个服务的方法，双方通过有类型的契约约定接口。" },
  },
  "message-queue": {
    en: { term: "message queue", definition: "A broker between producers and consumers: the producer hands a message over and moves on; consumers get it when they can." },
    "zh-CN": { term: "消息队列", definition: "位于生产者和消费者之间的中间件：生产者把消息交出去就继续干活，消费者在方便时取走处理。" },
  },
  "pub-sub": {
    en: { term: "publish–subscribe", definition: "Producers publish to a topic; the broker delivers a copy to every subscriber of that topic. Neither side knows the other." },
    "zh-CN": { term: "发布-订阅", definition: "生产者向主题发布消息，Broker 把副本投递给该主题的每一个订阅者，双方互不知道对方的存在。" },
  },
  broker: {
    en: { term: "broker", definition: "The server of a message queue (here an MQTT broker): it accepts publishes, keeps subscriptions and sessions, and delivers." },
    "zh-CN": { term: "Broker（消息代理）", definition: "消息队列的服务端（这里是 MQTT Broker）：接收发布、维护订阅和会话，并负责投递。" },
  },
  topic: {
    en: { term: "topic", definition: "The name a message is published under, in levels separated by “/”; subscriptions match it with + and # wildcards." },
    "zh-CN": { term: "主题（Topic）", definition: "消息发布时使用的名字，用“/”分层；订阅可以用 + 和 # 通配符匹配。" },
  },
  producer: {
    en: { term: "producer", definition: "The service that publishes a message (here the order service, publishing order.created)." },
    "zh-CN": { term: "生产者", definition: "发布消息的服务（这里是订单服务，它发布 order.created）。" },
  },
  consumer: {
    en: { term: "consumer", definition: "A service that subscribes and acts on messages (here inventory and notification)." },
    "zh-CN": { term: "消费者", definition: "订阅并处理消息的服务（这里是库存服务和通知服务）。" },
  },
  "fan-out": {
    en: { term: "fan-out", definition: "One published message delivered to many subscribers, each getting its own copy." },
    "zh-CN": { term: "扇出", definition: "一条发布的消息被投递给多个订阅者，每个订阅者各得一份。" },
  },
  asynchronous: {
    en: { term: "asynchronous", definition: "The caller does not wait for the work to finish; the answer it gets only says the work was accepted." },
    "zh-CN": { term: "异步", definition: "调用方不等待工作完成；它拿到的响应只表示工作已被接收。" },
  },
  gateway: {
    en: { term: "API gateway", definition: "The edge service that speaks REST to the outside and calls the internal services over gRPC." },
    "zh-CN": { term: "API 网关", definition: "系统的入口服务：对外提供 REST，对内通过 gRPC 调用各个服务。" },
  },
  contract: {
    en: { term: "contract", definition: "The agreed shape of a service's calls and messages; for RPC a .proto file that code is generated from." },
    "zh-CN": { term: "契约", definition: "服务的调用和消息格式的约定；对 RPC 来说就是 .proto 文件，代码由它生成。" },
  },
  protobuf: {
    en: { term: "protobuf", definition: "Protocol Buffers: a binary encoding of typed messages, fields identified by number, not by name." },
    "zh-CN": { term: "Protobuf", definition: "Protocol Buffers：有类型消息的二进制编码，字段用编号而不是名字标识。" },
  },
  connect: {
    en: { term: "Connect", definition: "An RPC protocol over plain HTTP: unary calls are a POST with a JSON or protobuf body and an ordinary status code." },
    "zh-CN": { term: "Connect", definition: "基于普通 HTTP 的 RPC 协议：一元调用就是一个 POST，消息体是 JSON 或 protobuf，错误用普通的 HTTP 状态码表达。" },
  },
  grpc: {
    en: { term: "gRPC", definition: "RPC over HTTP/2 with length-prefixed protobuf messages and the status in trailers." },
    "zh-CN": { term: "gRPC", definition: "运行在 HTTP/2 上的 RPC：消息是带长度前缀的 protobuf，状态放在 Trailer 里。" },
  },
  "grpc-web": {
    en: { term: "gRPC-web", definition: "gRPC's framing over HTTP/1.1 for browsers, which cannot read HTTP trailers: the trailers travel as a last frame in the body." },
    "zh-CN": { term: "gRPC-web", definition: "给浏览器用的 gRPC 变体：浏览器读不到 HTTP Trailer，于是 Trailer 作为消息体里的最后一帧发送。" },
  },
  trailers: {
    en: { term: "trailers", definition: "Header fields sent after the body. gRPC puts grpc-status and grpc-message there, so the outcome comes after the data." },
    "zh-CN": { term: "Trailer（尾部字段）", definition: "在消息体之后发送的头部字段。gRPC 把 grpc-status 和 grpc-message 放在这里，所以结果在数据之后才到。" },
  },
  envelope: {
    en: { term: "envelope", definition: "The 5-byte prefix in front of each message in a stream: one flag byte and a 4-byte length." },
    "zh-CN": { term: "信封（长度前缀）", definition: "流中每条消息前面的 5 个字节：1 个标志字节加 4 个字节的长度。" },
  },
  "status-code": {
    en: { term: "status code", definition: "The three-digit result of an HTTP request: 2xx success, 3xx redirection or not modified, 4xx client error, 5xx server error." },
    "zh-CN": { term: "状态码", definition: "HTTP 请求的三位数结果：2xx 成功，3xx 重定向或未修改，4xx 客户端错误，5xx 服务端错误。" },
  },
  "rpc-code": {
    en: { term: "error code", definition: "A typed RPC outcome shared by Connect and gRPC (not_found, invalid_argument, unavailable…), the same in every language's client." },
    "zh-CN": { term: "错误码", definition: "Connect 和 gRPC 共用的有类型的调用结果（not_found、invalid_argument、unavailable……），各语言的客户端都一样。" },
  },
  "network-error": {
    en: { term: "network error", definition: "No HTTP answer at all: the connection was refused, reset or timed out. There is no status code to look at." },
    "zh-CN": { term: "网络层错误", definition: "根本没有收到 HTTP 响应：连接被拒绝、被重置或超时。这时没有状态码可看。" },
  },
  idempotent: {
    en: { term: "idempotent", definition: "Doing it twice has the same effect as doing it once. GET, PUT and DELETE are idempotent by definition; POST is not." },
    "zh-CN": { term: "幂等", definition: "执行两次和执行一次效果相同。GET、PUT、DELETE 按定义是幂等的，POST 不是。" },
  },
  etag: {
    en: { term: "ETag", definition: "A tag the server gives a representation; it changes whenever the representation changes." },
    "zh-CN": { term: "ETag（实体标签）", definition: "服务器给某个资源表示打上的标签；表示一变，标签就变。" },
  },
  "conditional-request": {
    en: { term: "conditional request", definition: "A request that asks the server to act only if a condition holds, e.g. If-None-Match: “send it only if it changed”." },
    "zh-CN": { term: "条件请求", definition: "只在某个条件成立时才让服务器执行的请求，例如 If-None-Match：“变了才发给我”。" },
  },
  "server-streaming": {
    en: { term: "server streaming", definition: "One request, many response messages, sent as they are ready, then a final status." },
    "zh-CN": { term: "服务端流", definition: "一个请求，多条响应消息，准备好一条发一条，最后给出状态。" },
  },
  "bidi-streaming": {
    en: { term: "bidirectional streaming", definition: "Both sides send streams of messages on one call at the same time, e.g. a chat." },
    "zh-CN": { term: "双向流", definition: "同一个调用上，双方同时各自发送消息流，例如聊天。" },
  },
  qos: {
    en: { term: "QoS", definition: "MQTT's delivery guarantee per message: 0 at most once, 1 at least once (PUBACK), 2 exactly once (four-packet handshake)." },
    "zh-CN": { term: "QoS（服务质量等级）", definition: "MQTT 对每条消息的投递保证：0 最多一次，1 至少一次（PUBACK），2 恰好一次（四次握手）。" },
  },
  "persistent-session": {
    en: { term: "persistent session", definition: "A client that connects with CleanSession=0: the broker keeps its subscriptions and queues its QoS 1 and 2 messages while it is away." },
    "zh-CN": { term: "持久会话", definition: "以 CleanSession=0 连接的客户端：离线期间 Broker 保留它的订阅，并为它暂存 QoS 1、2 的消息。" },
  },
  "clean-session": {
    en: { term: "clean session", definition: "CleanSession=1: the session lives as long as the connection; subscriptions and missed messages are gone after a disconnect." },
    "zh-CN": { term: "清除会话", definition: "CleanSession=1：会话只和这次连接同生共死，断开后订阅和错过的消息都不复存在。" },
  },
  "retained-message": {
    en: { term: "retained message", definition: "A message published with RETAIN=1: the broker keeps the last one per topic and hands it to every new subscriber at once." },
    "zh-CN": { term: "保留消息", definition: "以 RETAIN=1 发布的消息：Broker 为每个主题保存最后一条，新订阅者一订阅就能立即收到。" },
  },
  trace: {
    en: { term: "trace", definition: "Every request, message and acknowledgement of your session as events with real bytes and times; the diagrams and goal checks read it." },
    "zh-CN": { term: "追踪", definition: "你的会话里每个请求、每条消息、每次确认都会成为带真实字节数和时间的事件；时序图和目标检查都读它。" },
  },
  "sequence-diagram": {
    en: { term: "sequence diagram", definition: "Participants as vertical lifelines, messages as arrows between them, time flowing down." },
    "zh-CN": { term: "时序图", definition: "每个参与者是一条竖直的生命线，消息是它们之间的箭头，时间自上而下。" },
  },
  "fault-injection": {
    en: { term: "fault injection", definition: "Breaking the system on purpose (an error, a reset, a slow consumer) to see what the callers do." },
    "zh-CN": { term: "故障注入", definition: "有意让系统出问题（返回错误、重置连接、消费者变慢），观察调用方会怎样。" },
  },
  session: {
    en: { term: "session", definition: "Your sandbox in the lab: your data, faults, defences and trace. Tools join it with the x-lab-session header or the MQTT username." },
    "zh-CN": { term: "会话", definition: "你在实验室里的沙箱：你的数据、故障、防护和追踪。命令行工具通过 x-lab-session 头或 MQTT 用户名加入。" },
  },
  // lessons 5–8
  ack: {
    en: { term: "acknowledgement", definition: "A packet that tells the sender its message arrived (MQTT's PUBACK, PUBREC, PUBCOMP). Until it comes, the sender must assume the message may be lost." },
    "zh-CN": { term: "确认（ACK）", definition: "告诉发送方“消息已收到”的报文（MQTT 的 PUBACK、PUBREC、PUBCOMP）。确认到来之前，发送方只能假定消息可能丢了。" },
  },
  "at-most-once": {
    en: { term: "at most once", definition: "Sent once, never repeated: a message may be lost but never arrives twice. MQTT QoS 0." },
    "zh-CN": { term: "最多一次", definition: "只发一次，绝不重发：消息可能丢失，但不会重复到达。对应 MQTT QoS 0。" },
  },
  "at-least-once": {
    en: { term: "at least once", definition: "Re-sent until acknowledged: a message is not lost, but may arrive more than once. MQTT QoS 1." },
    "zh-CN": { term: "至少一次", definition: "没收到确认就重发：消息不会丢，但可能不止一次到达。对应 MQTT QoS 1。" },
  },
  "exactly-once": {
    en: { term: "exactly once", definition: "Neither lost nor duplicated on one hop: MQTT QoS 2's four-packet handshake. It covers one sender and one receiver, not your whole system." },
    "zh-CN": { term: "恰好一次", definition: "在一跳之内既不丢也不重：MQTT QoS 2 的四次握手。它只管一对收发双方，管不了整个系统。" },
  },
  "packet-identifier": {
    en: { term: "Packet Identifier", definition: "The 16-bit number of a QoS 1 or 2 PUBLISH; its acknowledgements carry the same number, and a re-send keeps it." },
    "zh-CN": { term: "报文标识符（Packet Identifier）", definition: "QoS 1、2 的 PUBLISH 带的 16 位编号；对它的确认带着同一个编号，重发时编号不变。" },
  },
  redelivery: {
    en: { term: "redelivery", definition: "Sending an unacknowledged message again, e.g. after the receiver reconnects to its persistent session." },
    "zh-CN": { term: "重新投递", definition: "把没有得到确认的消息再发一次，例如接收方重新连上它的持久会话之后。" },
  },
  "publisher-confirm": {
    en: { term: "publisher confirmation", definition: "The producer treats a message as sent only once the broker acknowledged it (MQTT PUBACK; Kafka acks=all). Until then it may re-send." },
    "zh-CN": { term: "生产者确认", definition: "只有收到 Broker 的确认，生产者才认为消息发出去了（MQTT 的 PUBACK，Kafka 的 acks=all）；在那之前它可以重发。" },
  },
  timeout: {
    en: { term: "timeout", definition: "How long a caller waits before it gives up on an answer. Without one, a call to a server that never answers waits forever." },
    "zh-CN": { term: "超时", definition: "调用方最多等多久就放弃。不设超时，调用一个永不应答的服务就会一直等下去。" },
  },
  deadline: {
    en: { term: "deadline", definition: "The point in time by which the whole call must be done, retries included; every hop gets only what is left of it." },
    "zh-CN": { term: "截止时间（Deadline）", definition: "整个调用（包括重试）必须完成的时间点；每一跳只能用剩下的那部分时间。" },
  },
  "deadline-propagation": {
    en: { term: "deadline propagation", definition: "Passing the time left downstream (grpc-timeout, connect-timeout-ms), so the services behind stop when the caller has given up." },
    "zh-CN": { term: "超时传递", definition: "把剩余时间传给下游（grpc-timeout、connect-timeout-ms），调用方放弃时，后面的服务也随之停下。" },
  },
  backoff: {
    en: { term: "backoff", definition: "Waiting longer before each retry (here doubling, up to a cap), so a struggling server gets room to recover." },
    "zh-CN": { term: "退避", definition: "每次重试前等得更久一些（这里是每次翻倍，直到上限），给吃力的服务留出恢复的空间。" },
  },
  "persistent-connection": {
    en: { term: "persistent connection", definition: "An HTTP/1.1 connection kept open for further requests (the default); Connection: close ends it after one answer." },
    "zh-CN": { term: "持久连接（长连接）", definition: "发完一个请求后保持打开、留给后续请求用的 HTTP/1.1 连接（默认如此）；Connection: close 则在一次应答后关闭。" },
  },
  "connection-pool": {
    en: { term: "connection pool", definition: "Open connections a client keeps and reuses, so a call does not pay for a new connection each time." },
    "zh-CN": { term: "连接池", definition: "客户端保留并复用的一组已打开的连接，调用不必每次都付出新建连接的代价。" },
  },
  handshake: {
    en: { term: "handshake", definition: "The round trips that open a connection before any request: TCP's SYN, SYN-ACK, ACK, then TLS's." },
    "zh-CN": { term: "握手", definition: "在发出第一个请求之前建立连接所需的往返：TCP 的 SYN、SYN-ACK、ACK，然后是 TLS 的握手。" },
  },
  "idle-timeout": {
    en: { term: "idle timeout", definition: "How long a connection may carry nothing before a server, load balancer or firewall closes or forgets it." },
    "zh-CN": { term: "空闲超时", definition: "连接没有任何流量多久之后，会被服务器、负载均衡或防火墙关闭或遗忘。" },
  },
  keepalive: {
    en: { term: "keepalive", definition: "MQTT's heartbeat: a client that sent nothing for the keepalive interval sends PINGREQ and expects PINGRESP." },
    "zh-CN": { term: "心跳（Keep Alive）", definition: "MQTT 的心跳：客户端在 Keep Alive 间隔内没发过任何报文，就发 PINGREQ，并等待 PINGRESP。" },
  },
  "client-id": {
    en: { term: "client identifier", definition: "The name an MQTT client connects with; the broker keeps one session per id and lets only one connection hold it." },
    "zh-CN": { term: "客户端标识符（Client ID）", definition: "MQTT 客户端连接时使用的名字；Broker 为每个 ID 保留一个会话，同一时刻只允许一条连接持有它。" },
  },
  "idempotency-key": {
    en: { term: "idempotency key", definition: "A unique value a client sends with a creating request and again with every retry of it; the server runs it once and replays the answer." },
    "zh-CN": { term: "幂等键", definition: "客户端为一次创建请求生成的唯一值，每次重试都带上同一个；服务端只执行一次，之后直接返回第一次的结果。" },
  },
  deduplication: {
    en: { term: "de-duplication", definition: "A consumer remembering the ids of messages it processed and skipping a message it has already seen." },
    "zh-CN": { term: "去重", definition: "消费者记住处理过的消息 ID，遇到已经处理过的消息就跳过。" },
  },
  // lessons 9–12
  retry: {
    en: { term: "retry", definition: "Sending a failed request again, as a new attempt of the same call. Worth it for transient failures, and safe only for idempotent calls." },
    "zh-CN": { term: "重试", definition: "把失败的请求再发一次，作为同一个调用的新一次尝试。只对瞬时故障值得做，也只对幂等的调用是安全的。" },
  },
  "transient-failure": {
    en: { term: "transient failure", definition: "A failure that goes away by itself (a restart, a dropped connection, a moment of overload), so the same request may succeed a little later." },
    "zh-CN": { term: "瞬时故障", definition: "会自行消失的故障（重启、连接断开、短暂过载），同样的请求过一会儿再发可能就成功了。" },
  },
  "exponential-backoff": {
    en: { term: "exponential backoff", definition: "Waiting before each retry, longer each time: an initial wait multiplied by a factor per retry, up to a cap." },
    "zh-CN": { term: "指数退避", definition: "每次重试前先等待，而且一次比一次久：初始等待时间每重试一次乘以一个倍数，直到上限。" },
  },
  jitter: {
    en: { term: "jitter", definition: "Randomness in the wait before a retry, so clients that failed together do not retry together. Full jitter draws the wait between 0 and the backoff." },
    "zh-CN": { term: "抖动（Jitter）", definition: "给重试前的等待加入随机性，让一起失败的客户端不会一起重试。完全抖动在 0 到退避时间之间随机取值。" },
  },
  "retry-storm": {
    en: { term: "retry storm", definition: "Retries multiplying the load on a service that is already failing, so it cannot recover." },
    "zh-CN": { term: "重试风暴", definition: "重试让本已出故障的服务承受成倍的负载，以至于无法恢复。" },
  },
  "retry-budget": {
    en: { term: "retry budget", definition: "A cap on retries as a share of a client's requests (e.g. 10 %): a few failures are retried, an outage is not multiplied." },
    "zh-CN": { term: "重试预算", definition: "按客户端请求量的比例给重试封顶（例如 10%）：零星的失败可以重试，大面积故障不会被放大。" },
  },
  "poison-message": {
    en: { term: "poison message", definition: "A message a consumer can never process, so redelivering it only fails again." },
    "zh-CN": { term: "毒消息", definition: "消费者永远无法处理成功的消息，重新投递只会再次失败。" },
  },
  "dead-letter-queue": {
    en: { term: "dead-letter queue", definition: "Where messages go that failed too often: kept aside for a person to inspect and replay, so the rest keeps flowing. Here the topic lab/<session>/dlq/<consumer>." },
    "zh-CN": { term: "死信队列", definition: "失败次数过多的消息被放到这里，留给人来查看和重放，其余的消息照常流动。实验室里是主题 lab/<session>/dlq/<consumer>。" },
  },
  percentile: {
    en: { term: "percentile", definition: "p90 is the latency that 90 % of the calls did not exceed. p50 is the median; p99 and p99.9 describe the slowest calls and need many samples." },
    "zh-CN": { term: "百分位数", definition: "p90 是 90% 的调用都不超过的那个延迟。p50 即中位数；p99、p99.9 描述最慢的那部分调用，需要大量样本才可信。" },
  },
  "tail-latency": {
    en: { term: "tail latency", definition: "The latency of the slowest calls (p99, p99.9, the max). A user who makes many calls meets the tail often." },
    "zh-CN": { term: "尾延迟", definition: "最慢那部分调用的延迟（p99、p99.9、最大值）。发很多次调用的用户会经常碰上它。" },
  },
  throughput: {
    en: { term: "throughput", definition: "Calls completed per second. With calls in flight and latency it obeys Little's law: in flight = throughput × latency." },
    "zh-CN": { term: "吞吐量", definition: "每秒完成的调用数。它与在途调用数、延迟满足利特尔定律：在途数 = 吞吐量 × 延迟。" },
  },
  fallback: {
    en: { term: "fallback", definition: "When a call fails, the same request by another path (here: Connect, then REST through the gateway). It helps only if the other path avoids what failed." },
    "zh-CN": { term: "降级", definition: "调用失败时，换一条路发同样的请求（这里是先 Connect，再经网关走 REST）。只有另一条路绕开了故障点，它才有用。" },
  },
  "service-instance": {
    en: { term: "service instance", definition: "One running copy of a service at its own address. The lab serves UserService as UserService#1 and #2 (/instance/1/…, /instance/2/…)." },
    "zh-CN": { term: "服务实例", definition: "服务的一个运行副本，有自己的地址。实验室把 UserService 提供为 UserService#1 和 #2（/instance/1/…、/instance/2/…）。" },
  },
  "load-balancing": {
    en: { term: "load balancing", definition: "Spreading calls over a service's instances. Round-robin takes them in turn; health checks leave a failing one out." },
    "zh-CN": { term: "负载均衡", definition: "把调用分摊到服务的多个实例上。轮询按顺序轮流选；健康检查把出故障的实例摘掉。" },
  },
};

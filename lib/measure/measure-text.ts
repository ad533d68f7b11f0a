import type { L10n, Locale } from "../lessons/types";
import { textIn, textLookup, type TextVars } from "../lessons/ui-text";

/**
 * Every word the measure panel (components/measure) shows, in both
 * languages, and the sentences the claims table builds (./claims.ts). Terms
 * follow lessons/glossary.ts (百分位数, 尾延迟, 吞吐量, 闭环/开环模型…);
 * numbers, protocol names, units (ms, /s, B) and percentile names (p50,
 * p99.9) stay as they are. Messages the server sends (limits, run errors)
 * are shown as sent: only the framing around them is here.
 */
export const MEASURE_TEXT = {
  // The panel
  title: { en: "Measure it", "zh-CN": "测一测" },
  lede: {
    en: "load runs against the lab's own services, in every mode, with the session's faults and defences",
    "zh-CN": "对实验室自己的服务做负载测量，各种方式都能测，带着本会话的故障和防护",
  },
  linkOpened: {
    en: "Opened from a measure link: the form holds its configuration (seed {seed}).",
    "zh-CN": "从测量链接打开：表单里是链接中的配置（种子 {seed}）。",
  },
  faultRule: { en: "{n} fault rule", "zh-CN": "{n} 条故障规则" },
  faultRules: { en: "{n} fault rules", "zh-CN": "{n} 条故障规则" },
  linkRanWith: { en: "It ran with {faults}.", "zh-CN": "它运行时开着 {faults}。" },
  linkRanWithDefences: { en: "It ran with {faults} and its own defences.", "zh-CN": "它运行时开着 {faults}，还有它自己的防护设置。" },
  linkApply: { en: "Apply them to my session", "zh-CN": "应用到我的会话" },
  linkApplied: { en: "Applied {faults} to your session.", "zh-CN": "已把 {faults} 应用到你的会话。" },
  linkAppliedDefences: { en: "Applied {faults} and the defences to your session.", "zh-CN": "已把 {faults} 和防护设置应用到你的会话。" },
  linkApplyFailed: { en: "Could not apply them: {error}", "zh-CN": "应用失败：{error}" },
  startRun: { en: "Start run", "zh-CN": "开始测量" },
  cancelRun: { en: "Cancel run", "zh-CN": "取消测量" },
  problems: { en: "Cannot start yet:", "zh-CN": "还不能开始：" },
  runError: { en: "The run failed: {error}", "zh-CN": "测量失败：{error}" },
  noSession: { en: "the page has no session yet; try again in a moment", "zh-CN": "页面还没有会话，请稍后再试" },
  workerFailed: { en: "the run's Web Worker failed: {error}", "zh-CN": "测量用的 Web Worker 出错：{error}" },
  downloadCsv: { en: "Download CSV", "zh-CN": "下载 CSV" },
  downloadJson: { en: "Download JSON", "zh-CN": "下载 JSON" },
  copyPermalink: { en: "Copy permalink", "zh-CN": "复制永久链接" },
  permalinkLabel: { en: "Permalink of this run", "zh-CN": "本次测量的永久链接" },
  results: { en: "Results", "zh-CN": "结果" },
  openModelNote: {
    en: "Open model: latency runs from each request's intended send time, so stalls are charged to every request they delayed (coordinated omission corrected, as wrk2).",
    "zh-CN": "开环模型：延迟从每个请求本该发出的时刻算起，卡顿会算到被它拖慢的每一个请求头上（和 wrk2 一样修正了协同遗漏）。",
  },
  closedModelNote: {
    en: "Closed model: latency runs from each actual send; a stall delays the next sends instead of showing in their latency (as autocannon without -R).",
    "zh-CN": "闭环模型：延迟从每个请求实际发出的时刻算起；卡顿会推迟后面的发送，而不会体现在它们的延迟里（和不带 -R 的 autocannon 一样）。",
  },
  generatorLine: { en: "Generator: {host} → {server}. CPU: {cpu}.", "zh-CN": "负载生成端：{host} → {server}。CPU：{cpu}。" },
  busyNote: { en: "Note: {busy}.", "zh-CN": "注意：{busy}。" },
  browserConnections: {
    en: "Browsers open at most 6 HTTP/1.1 connections per host, one of them held by the trace stream: concurrency above 5 queues inside the browser, and that wait counts.",
    "zh-CN": "浏览器对同一台主机最多开 6 条 HTTP/1.1 连接，其中一条被追踪流占着：并发超过 5 时，调用会在浏览器里排队，排队的时间也算在延迟里。",
  },
  payloadSize: { en: "Payload size", "zh-CN": "载荷大小" },
  claimsVsMeasured: { en: "Claims vs. measured", "zh-CN": "文章说法与本机实测" },
  serializationFailed: { en: "The micro-benchmark failed: {error}", "zh-CN": "微基准测试失败：{error}" },

  // Run status
  "state.queued": { en: "Waiting for a free slot", "zh-CN": "排队等待空闲名额" },
  "state.running": { en: "Running", "zh-CN": "运行中" },
  "state.done": { en: "Done", "zh-CN": "已完成" },
  "state.cancelled": { en: "Cancelled", "zh-CN": "已取消" },
  "state.failed": { en: "Failed", "zh-CN": "失败" },
  queuePosition: { en: "position {n} in the queue", "zh-CN": "排在第 {n} 位" },
  runProgress: { en: "Run progress", "zh-CN": "测量进度" },
  elapsed: { en: "elapsed {t}", "zh-CN": "已用 {t}" },
  estimating: { en: "estimating the time left…", "zh-CN": "正在估算剩余时间……" },
  timeLeft: { en: "≈ {t} left", "zh-CN": "约剩 {t}" },

  // The form
  generatorLegend: { en: "Where the load comes from", "zh-CN": "负载从哪里发出" },
  generatorServer: { en: "The lab server", "zh-CN": "实验室服务端" },
  generatorServerNote: { en: "(service → service, loopback)", "zh-CN": "（服务 → 服务，本机回环）" },
  generatorBrowser: { en: "This browser", "zh-CN": "本浏览器" },
  generatorBrowserNote: { en: "(browser → service, a Web Worker)", "zh-CN": "（浏览器 → 服务，在 Web Worker 中）" },
  modesLegend: { en: "Modes, measured one after another", "zh-CN": "调用方式（依次测量）" },
  grpcNotInBrowser: {
    en: "browsers do not expose HTTP/2 trailers: native gRPC only from the server",
    "zh-CN": "浏览器读不到 HTTP/2 的 Trailer：原生 gRPC 只能从服务端测",
  },
  callLegend: { en: "Call", "zh-CN": "调用" },
  callLabel: { en: "What to measure", "zh-CN": "测哪个调用" },
  "call.getUser": { en: "GetUser (small, fixed)", "zh-CN": "GetUser（小且固定）" },
  "call.listUsers": { en: "ListUsers (a stream)", "zh-CN": "ListUsers（服务端流）" },
  "call.echo": { en: "Echo (a payload you size)", "zh-CN": "Echo（载荷大小可调）" },
  payload: { en: "Payload", "zh-CN": "载荷" },
  payloadShape: { en: "Payload shape", "zh-CN": "载荷类型" },
  "shape.users": { en: "users {id, name, email}", "zh-CN": "用户 {id, name, email}" },
  "shape.numbers": { en: "int32 numbers", "zh-CN": "int32 数字" },
  "shape.text": { en: "one text", "zh-CN": "一段文本" },
  payloadBytes: { en: "Payload size (as JSON)", "zh-CN": "载荷大小（按 JSON 计）" },
  bytesUnit: { en: "bytes", "zh-CN": "字节" },
  loadLegend: { en: "Load", "zh-CN": "负载" },
  closedModel: { en: "N requests at concurrency C", "zh-CN": "N 个请求，并发 C 个" },
  closedModelNoteShort: { en: "(closed model, like autocannon without -R)", "zh-CN": "（闭环模型，类似不带 -R 的 autocannon）" },
  openModel: { en: "R requests/s for D seconds", "zh-CN": "每秒 R 个请求，持续 D 秒" },
  openModelNoteShort: {
    en: "(open model, like wrk2: latency from each request's intended send time)",
    "zh-CN": "（开环模型，类似 wrk2：延迟从每个请求本该发出的时刻算起）",
  },
  requestsN: { en: "Requests (N)", "zh-CN": "请求数（N）" },
  concurrencyC: { en: "Concurrency (C)", "zh-CN": "并发数（C）" },
  warmupRequests: { en: "Warm-up requests", "zh-CN": "预热请求数" },
  warmupRequestsHint: { en: "sent first, left out", "zh-CN": "最先发出，不计入结果" },
  rateR: { en: "Rate (R)", "zh-CN": "速率（R）" },
  durationD: { en: "Duration (D)", "zh-CN": "时长（D）" },
  warmup: { en: "Warm-up", "zh-CN": "预热" },
  warmupHint: { en: "at the rate, left out", "zh-CN": "按同样的速率发送，不计入结果" },
  mostInFlight: { en: "Most in flight", "zh-CN": "最多在途数" },
  mostInFlightHint: { en: "like connections", "zh-CN": "相当于连接数" },
  seed: { en: "Seed", "zh-CN": "种子" },
  seedLabel: { en: "Seed of the payload", "zh-CN": "载荷的随机种子" },
  "wire.rest": { en: "JSON over HTTP/1.1 (gateway → gRPC inside)", "zh-CN": "JSON，走 HTTP/1.1（网关之后转 gRPC）" },
  "wire.connect-json": { en: "JSON over HTTP/1.1 (Connect protocol)", "zh-CN": "JSON，走 HTTP/1.1（Connect 协议）" },
  "wire.connect-binary": { en: "protobuf over HTTP/1.1 (Connect protocol)", "zh-CN": "protobuf，走 HTTP/1.1（Connect 协议）" },
  "wire.grpc-web": { en: "protobuf over HTTP/1.1, gRPC framing", "zh-CN": "protobuf，走 HTTP/1.1，gRPC 分帧" },
  "wire.grpc": { en: "protobuf over HTTP/2 (h2c)", "zh-CN": "protobuf，走 HTTP/2（h2c）" },
  "wire.mqtt-qos0": { en: "protobuf over MQTT 3.1.1 request/reply, QoS 0", "zh-CN": "protobuf，走 MQTT 3.1.1 请求/应答，QoS 0" },
  "wire.mqtt-qos1": { en: "protobuf over MQTT 3.1.1 request/reply, QoS 1", "zh-CN": "protobuf，走 MQTT 3.1.1 请求/应答，QoS 1" },
  "wire.mqtt-qos2": { en: "protobuf over MQTT 3.1.1 request/reply, QoS 2", "zh-CN": "protobuf，走 MQTT 3.1.1 请求/应答，QoS 2" },

  // The results table
  resultsCaption: {
    en: "Results per mode: latency in milliseconds, throughput per second, bytes per call",
    "zh-CN": "各方式的结果：延迟以毫秒计，吞吐量以每秒计，字节数以每次调用计",
  },
  "phase.waiting": { en: "waiting", "zh-CN": "等待中" },
  "phase.warmup": { en: "warming up", "zh-CN": "预热中" },
  "phase.measuring": { en: "measuring", "zh-CN": "测量中" },
  "phase.draining": { en: "awaiting answers", "zh-CN": "等待应答" },
  "phase.done": { en: "done", "zh-CN": "完成" },
  colMode: { en: "Mode", "zh-CN": "方式" },
  colState: { en: "State", "zh-CN": "状态" },
  colCalls: { en: "Calls", "zh-CN": "调用数" },
  colMax: { en: "max", "zh-CN": "最大值" },
  colMean: { en: "mean", "zh-CN": "平均值" },
  colOfferedAchieved: { en: "Offered → achieved /s", "zh-CN": "给定 → 实际 /s" },
  colAchieved: { en: "Achieved /s", "zh-CN": "实际 /s" },
  colErrors: { en: "Errors", "zh-CN": "错误" },
  colBodyBytes: { en: "Body bytes per call, sent → received", "zh-CN": "每次调用的消息体字节，发送 → 接收" },
  colGeneratorCpu: { en: "Generator CPU", "zh-CN": "生成端 CPU" },
  colWarmup: { en: "Warm-up (left out)", "zh-CN": "预热（不计入）" },
  p999Unreliable: { en: "unreliable under {min} samples", "zh-CN": "样本少于 {min} 个时不可信" },
  p999Few: {
    en: "only {n} samples: fewer than one lies above p99.9 (needs ≥ {min})",
    "zh-CN": "只有 {n} 个样本：高于 p99.9 的不到一个（需要 ≥ {min} 个）",
  },
  none: { en: "none", "zh-CN": "无" },
  unanswered: { en: "{n} unanswered", "zh-CN": "{n} 个未应答" },
  warmupCalls: { en: "{n} calls, p50 {p50} ms", "zh-CN": "{n} 次调用，p50 {p50} ms" },
  sendLagTitle: {
    en: "How late the generator sent at worst: large values mean the generator, not only the server, was behind",
    "zh-CN": "负载生成端最晚比计划晚发多久：数值大说明落后的不只是服务端，生成端自己也跟不上",
  },
  sendLag: { en: "sent up to {ms} ms late", "zh-CN": "最多晚发 {ms} ms" },
  p999Footnote: {
    en: "* p99.9 from fewer than {min} samples: fewer than one call lies above it, so it is little more than the maximum.",
    "zh-CN": "* p99.9 来自不到 {min} 个样本：高于它的调用不到一个，所以它和最大值差不多。",
  },

  // The charts
  chartsEmpty: { en: "The charts fill in as the first answers arrive.", "zh-CN": "第一批应答到达后，图表就开始绘制。" },
  latencyOverTime: { en: "Latency over time", "zh-CN": "延迟随时间的变化" },
  latencyOverTimeNote: {
    en: "p99 (solid) and p50 (dashed) of the calls finished in each interval; the shaded start is the warm-up, left out of the results",
    "zh-CN": "每个时间段内完成的调用的 p99（实线）和 p50（虚线）；开头的阴影是预热，不计入结果",
  },
  throughputOverTime: { en: "Throughput over time", "zh-CN": "吞吐量随时间的变化" },
  throughputOpenNote: { en: "answers per second; the dashed line is the offered rate", "zh-CN": "每秒收到的应答数；虚线是给定的发送速率" },
  throughputClosedNote: {
    en: "answers per second (closed model: as fast as answers come back)",
    "zh-CN": "每秒收到的应答数（闭环模型：应答回来多快，就发多快）",
  },
  offeredRate: { en: "offered {rate}/s", "zh-CN": "给定 {rate}/s" },
  latencyByPercentile: { en: "Latency by percentile", "zh-CN": "各百分位数的延迟" },
  latencyByPercentileNote: {
    en: "from each target's HdrHistogram; the tail to the right (log scales)",
    "zh-CN": "取自每种方式的 HdrHistogram；越往右越是尾延迟（对数坐标）",
  },
  percentilesSideBySide: { en: "Percentiles side by side", "zh-CN": "百分位数并排对比" },
  percentilesSideBySideNote: { en: "measured phase only, ms", "zh-CN": "只含测量阶段，单位 ms" },
  chartWaiting: { en: "Appears once a target has measured answers.", "zh-CN": "某种方式测到应答后才会出现。" },

  // Payload sizes
  sizeChart: { en: "JSON vs protobuf as the message grows", "zh-CN": "消息变大时，JSON 与 protobuf 的对比" },
  sizeChartNote: {
    en: "{shape}; at the chosen size: REST JSON {restJson}, protobuf JSON {protoJson}, protobuf {protobuf} —",
    "zh-CN": "{shape}；在所选大小下：REST JSON {restJson}，protobuf JSON {protoJson}，protobuf {protobuf}——",
  },
  sizeRatio: { en: "protobuf is {pct} % of JSON", "zh-CN": "protobuf 是 JSON 的 {pct} %" },
  ratioSeries: { en: "protobuf ÷ JSON", "zh-CN": "protobuf ÷ JSON" },
  restJsonBytes: { en: "REST JSON bytes", "zh-CN": "REST JSON 字节数" },
  protoJsonBytes: { en: "protobuf JSON bytes", "zh-CN": "protobuf JSON 字节数" },
  protobufBytes: { en: "protobuf bytes", "zh-CN": "protobuf 字节数" },
  messageOfSize: { en: "message of {size} as JSON", "zh-CN": "按 JSON 计 {size} 的消息" },
  chosenSize: { en: "chosen size", "zh-CN": "所选大小" },
  seedSize: { en: "seed: ≈ 35 %", "zh-CN": "参考文章：≈ 35 %" },
  pickEcho: {
    en: "Pick the Echo call to set a payload size and see how the JSON/protobuf ratio changes as messages grow.",
    "zh-CN": "选择 Echo 调用，就能设置载荷大小，看 JSON 与 protobuf 的比例如何随消息变大而变化。",
  },
  bodyBytesMeasured: { en: "Body bytes per call, as measured", "zh-CN": "实测的每次调用消息体字节数" },
  bodyBytesNote: {
    en: "mean per call in the last run; gRPC and gRPC-web add 5 bytes of framing per message, gRPC-web its trailers too",
    "zh-CN": "最近一轮每次调用的平均值；gRPC 和 gRPC-web 每条消息多 5 个字节的分帧，gRPC-web 还要加上它的 Trailer",
  },
  runToSeeBytes: { en: "Run to see each mode's bytes.", "zh-CN": "运行一轮测量，就能看到每种方式的字节数。" },
  sent: { en: "sent", "zh-CN": "发送" },
  received: { en: "received", "zh-CN": "接收" },

  // The serialization micro-benchmark
  serializationTitle: { en: "Serialization in this browser", "zh-CN": "本浏览器中的序列化" },
  serializationRunning: { en: "Measuring… (about 5 s)", "zh-CN": "测量中……（约 5 s）" },
  serializationAgain: { en: "Measure again", "zh-CN": "再测一次" },
  serializationRun: { en: "Run the micro-benchmark", "zh-CN": "运行微基准测试" },
  serializationNote: {
    en: "Encode and decode of the chosen message, bytes in and bytes out, in a Web Worker: JSON.stringify/JSON.parse (REST) against protobuf-es (Connect, gRPC-web, MQTT). No network.",
    "zh-CN": "在 Web Worker 里对所选消息做编码和解码，输入输出都是字节：JSON.stringify/JSON.parse（REST）对比 protobuf-es（Connect、gRPC-web、MQTT）。不走网络。",
  },
  serializationCaption: { en: "Operations per second by codec", "zh-CN": "各编码方式每秒的操作次数" },
  colCodec: { en: "Codec", "zh-CN": "编码方式" },
  colSize: { en: "Size", "zh-CN": "大小" },
  colEncode: { en: "Encode /s", "zh-CN": "编码 /s" },
  colDecode: { en: "Decode /s", "zh-CN": "解码 /s" },
  colRoundTrips: { en: "Round trips /s", "zh-CN": "往返 /s" },
  "codec.json": { en: "JSON (JSON.stringify / parse)", "zh-CN": "JSON（JSON.stringify / parse）" },
  "codec.protobuf": { en: "protobuf binary (protobuf-es)", "zh-CN": "protobuf 二进制（protobuf-es）" },
  "codec.protobuf-json": { en: "protobuf JSON (protobuf-es)", "zh-CN": "protobuf JSON（protobuf-es）" },
  speedupBefore: { en: "{message} · {engine}: protobuf round trips at ", "zh-CN": "{message} · {engine}：protobuf 的往返速率是 JSON 的 " },
  speedupAfter: { en: " the rate of JSON's.", "zh-CN": "。" },

  // Claims vs. measured
  "verdict.holds": { en: "Holds here", "zh-CN": "在本机成立" },
  "verdict.weaker": { en: "Weaker here", "zh-CN": "在本机偏弱" },
  "verdict.stronger": { en: "Stronger here", "zh-CN": "在本机更强" },
  "verdict.opposite": { en: "Opposite here", "zh-CN": "在本机相反" },
  "verdict.not-measured": { en: "Not measured", "zh-CN": "未测量" },
  claimsEmpty: {
    en: "Nothing measured yet. Run two modes (one JSON, one protobuf) and the micro-benchmark, and each of these claims gets a number from this machine:",
    "zh-CN": "还没有测量。同时测两种方式（一种 JSON、一种 protobuf），再运行微基准测试，下面每条说法都会得到一个本机测出的数字：",
  },
  claimsCaption: { en: "Claims of the seed articles against this machine's measurements", "zh-CN": "参考文章的说法与本机的测量结果" },
  colSeedSays: { en: "The seed says", "zh-CN": "参考文章原文" },
  colClaimed: { en: "Claimed", "zh-CN": "文中数字" },
  colMeasuredHere: { en: "Measured here", "zh-CN": "本机实测" },
  colVerdict: { en: "Verdict", "zh-CN": "结论" },
  // What each seed claim says (./claims.ts quotes the seed's own words beside it).
  "claim.size": { en: "A message encoded as protobuf is about 35 % of its JSON size.", "zh-CN": "同一条消息，Protobuf 序列化体积只有 JSON 的约 35%。" },
  "claim.qps": {
    en: "Measured: gRPC serves 3–5 times the queries per second of HTTP/JSON.",
    "zh-CN": "Go 微服务跑在内网、高并发、低延迟要求下，gRPC 比 HTTP/JSON 实测 QPS 提升 3–5 倍。",
  },
  "claim.latency": { en: "gRPC's latency is 40–60 % lower than HTTP/JSON's.", "zh-CN": "同样的场景下，gRPC 比 HTTP/JSON 延迟降 40%~60%。" },
  "claim.serialization": {
    en: "High performance: binary serialization is 3–10 times faster than JSON.",
    "zh-CN": "gRPC 的优点之一“高性能”：二进制序列化，比 JSON 快 3-10 倍。",
  },
  "claim.performance": {
    en: "Performance: HTTP REST medium; gRPC high, 5–10 times HTTP's.",
    "zh-CN": "三种方式对比表的“性能”一行：HTTP REST 中等；gRPC 高（5-10倍于 HTTP）；消息队列 高（批量处理）。",
  },
  // The verdict sentences (./claims.ts)
  needPair: {
    en: "Not measured yet: run a JSON mode (REST or Connect JSON) and a protobuf mode (gRPC, gRPC-web or Connect binary) together.",
    "zh-CN": "还没有测量：同时测一种 JSON 方式（REST 或 Connect JSON）和一种 protobuf 方式（gRPC、gRPC-web 或 Connect binary）。",
  },
  needSizes: {
    en: "Not measured yet: run REST (or Connect JSON) with Connect binary, MQTT or gRPC, whose bodies carry the bare message — or measure Echo, whose payload's encodings are known exactly.",
    "zh-CN": "还没有测量：把 REST（或 Connect JSON）和 Connect binary、MQTT 或 gRPC 放在一起测，它们的消息体里就是消息本身；或者测 Echo，它的载荷在各种编码下有多少字节是确知的。",
  },
  needClosed: {
    en: "Not comparable in an open run: both modes are offered the same rate. Throughput shows the difference in a closed run (N requests at concurrency C), where each mode goes as fast as it can.",
    "zh-CN": "开环测量里没法比：两种方式收到的发送速率一样。要在闭环测量（N 个请求，并发 C 个）里看吞吐量的差别，那时每种方式都尽可能快地跑。",
  },
  needSerialization: { en: "Not measured yet: run the serialization micro-benchmark below.", "zh-CN": "还没有测量：运行下面的序列化微基准测试。" },
  "lead.holds": { en: "Holds here", "zh-CN": "在本机成立" },
  "lead.size.stronger": { en: "Protobuf is even smaller here", "zh-CN": "在本机 protobuf 更小" },
  "lead.size.weaker": { en: "Protobuf saves less here", "zh-CN": "在本机 protobuf 省得更少" },
  "lead.gain.stronger": { en: "A larger gain here", "zh-CN": "在本机提升更大" },
  "lead.gain.weaker": { en: "A smaller gain here", "zh-CN": "在本机提升更小" },
  "lead.drop.stronger": { en: "A larger drop here", "zh-CN": "在本机降得更多" },
  "lead.drop.weaker": { en: "A smaller drop here", "zh-CN": "在本机降得更少" },
  sizeVerdict: {
    en: "{lead}: {protobuf} B of protobuf is {pct} % of {json} B of JSON.",
    "zh-CN": "{lead}：protobuf 的 {protobuf} B 是 JSON 的 {json} B 的 {pct} %。",
  },
  queriesPerSecond: { en: "queries per second", "zh-CN": "每秒请求数（QPS）" },
  throughput: { en: "throughput", "zh-CN": "吞吐量" },
  rateVerdict: {
    en: "{lead}: {proto} did {ratio}× the {what} of {json} ({protoRate}/s vs {jsonRate}/s).",
    "zh-CN": "{lead}：{proto} 的{what}是 {json} 的 {ratio}×（{protoRate}/s 对 {jsonRate}/s）。",
  },
  rateOpposite: {
    en: "The opposite here: {proto} did {ratio}× the {what} of {json} — slower.",
    "zh-CN": "在本机恰恰相反：{proto} 的{what}只有 {json} 的 {ratio}×，更慢。",
  },
  latencyVerdict: {
    en: "{lead}: {proto}'s median latency is {pct} % lower than {json}'s ({protoMs} vs {jsonMs} ms; p99 {p99}).",
    "zh-CN": "{lead}：{proto} 的中位数延迟比 {json} 低 {pct} %（{protoMs} ms 对 {jsonMs} ms；p99 {p99}）。",
  },
  latencyOpposite: {
    en: "The opposite here: {proto}'s median latency is {pct} % higher than {json}'s (p99: {p99}).",
    "zh-CN": "在本机恰恰相反：{proto} 的中位数延迟比 {json} 高 {pct} %（p99：{p99}）。",
  },
  pctLower: { en: "{pct} % lower", "zh-CN": "低 {pct} %" },
  pctHigher: { en: "{pct} % higher", "zh-CN": "高 {pct} %" },
  serializationVerdict: {
    en: "{lead}: protobuf round trips ran at {ratio}× the rate of JSON's.",
    "zh-CN": "{lead}：protobuf 的往返速率是 JSON 的 {ratio}×。",
  },
  serializationOpposite: {
    en: "The opposite here: protobuf-es encodes and decodes this message at {ratio}× the rate of JSON.stringify/JSON.parse — JSON is faster in this JavaScript engine.",
    "zh-CN": "在本机恰恰相反：protobuf-es 编解码这条消息的速率只有 JSON.stringify/JSON.parse 的 {ratio}×：在这个 JavaScript 引擎里 JSON 更快。",
  },
  pairVs: { en: "{proto} vs {json}", "zh-CN": "{proto} 对比 {json}" },
  echoExactSizes: {
    en: "the Echo payload's exact encodings (REST's JSON vs protobuf)",
    "zh-CN": "Echo 载荷的确切编码字节数（REST 的 JSON 对比 protobuf）",
  },
  meanResponseBody: { en: "mean response body per call, {proto} vs {json}", "zh-CN": "每次调用的平均响应体，{proto} 对比 {json}" },
  meanResponseBodyGrpc: {
    en: "mean response body per call, gRPC (less its 5-byte prefix) vs {json}",
    "zh-CN": "每次调用的平均响应体，gRPC（减去 5 字节前缀）对比 {json}",
  },
  // The run's conditions in one line (./claims.ts conditionsText)
  condEcho: { en: "Echo of {bytes} B (JSON)", "zh-CN": "Echo {bytes} B（按 JSON 计）" },
  condOpen: { en: "open model, {rate}/s, ≤ {c} in flight", "zh-CN": "开环模型，{rate}/s，在途 ≤ {c}" },
  condClosed: { en: "closed model, {c} in flight", "zh-CN": "闭环模型，在途 {c}" },
  condReuse: { en: "connections reused", "zh-CN": "复用连接" },
  condNoReuse: { en: "a new connection per call (reuse off)", "zh-CN": "每次调用新建连接（复用已关闭）" },
  condFault: { en: "{n} fault rule on", "zh-CN": "开着 {n} 条故障规则" },
  condFaults: { en: "{n} fault rules on", "zh-CN": "开着 {n} 条故障规则" },
  condNoFaults: { en: "no faults", "zh-CN": "无故障" },
  machineBusy: {
    en: "machine busy (load {before} → {after} on {cores} CPUs): modes measured one after another may have met different conditions",
    "zh-CN": "机器繁忙（负载 {before} → {after}，共 {cores} 个 CPU）：依次测量的各种方式可能遇到了不同的条件",
  },
} as const satisfies Record<string, L10n>;

export type MeasureTextKey = keyof typeof MEASURE_TEXT;

/** A measure panel text in `locale`, `{name}` placeholders filled (the lookup of lib/lessons/ui-text.ts). */
export const measureText = textLookup(MEASURE_TEXT);

/** `measureText` in one language, for a component: `const t = measureTextFor(locale); t("startRun")`. */
export function measureTextFor(locale: Locale): (key: MeasureTextKey, vars?: TextVars) => string {
  return textIn(measureText, locale);
}

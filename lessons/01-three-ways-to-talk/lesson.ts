import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { clientCalls, goals, mqttPackets, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction } from "@/lib/lessons/types";

/** The same question, user 123, in each way of talking. */
const ask = (mode: CallAction["mode"]): CallAction => ({ call: "GetUser", mode, input: { id: 123 } });

export default defineLesson({
  title: { en: "Three ways to talk", "zh-CN": "三种对话方式" },
  summary: {
    en: "Ask the same user service the same question over REST, Connect and MQTT, and see what each way puts on the wire.",
    "zh-CN": "用 REST、Connect 和 MQTT 向同一个用户服务问同一个问题，看看每种方式在线路上传了什么。",
  },
  minutes: 12,
  faults: [
    {
      id: "user-service-down",
      title: { en: "UserService answers “unavailable”", "zh-CN": "UserService 返回 unavailable" },
      rules: [{ kind: FaultKind.ERROR, target: { service: "UserService", method: "GetUser" }, probability: 1, rpcCode: "unavailable", label: "user service down" }],
    },
  ],
  steps: [
    {
      id: "rest",
      title: { en: "Ask over REST", "zh-CN": "用 REST 提问" },
      widgets: ["call", "command", "diagram"],
      check: (ctx) => {
        const rest = serverExchanges(ctx.events, { mode: "rest", call: "GetUser", httpStatus: 200 });
        const inner = serverExchanges(ctx.events, { mode: "grpc", from: "Gateway", call: "GetUser", code: "ok" });
        return goals([
          [{ en: "GET /rest/users/123 answered 200 OK", "zh-CN": "GET /rest/users/123 得到 200 OK" }, rest.length > 0],
          [{ en: "the gateway asked UserService over gRPC", "zh-CN": "网关通过 gRPC 调用了 UserService" }, inner.some((x) => rest.some((r) => r.spanId === x.parentSpanId))],
        ]);
      },
      hints: [
        { en: "Press the “GetUser over REST” button.", "zh-CN": "按一下“用 REST 调用 GetUser”按钮。" },
        { en: "Or paste the curl command into a terminal: it carries your session, so it counts too.", "zh-CN": "也可以把 curl 命令粘贴到终端里执行：命令带着你的会话，同样算数。" },
      ],
      solution: [ask("rest")],
      wrong: [ask("connect")],
    },
    {
      id: "connect",
      title: { en: "Ask over Connect", "zh-CN": "用 Connect 提问" },
      widgets: ["call", "diagram"],
      check: (ctx) => {
        const direct = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", code: "ok" });
        return goals([
          [{ en: "GetUser over Connect answered ok", "zh-CN": "通过 Connect 调用 GetUser，结果为 ok" }, direct.length > 0],
          [{ en: "straight to UserService, no gateway", "zh-CN": "直达 UserService，不经过网关" }, direct.some((x) => x.to === "UserService")],
        ]);
      },
      hints: [{ en: "Press “GetUser over Connect”.", "zh-CN": "按一下“用 Connect 调用 GetUser”。" }],
      solution: [ask("connect")],
      wrong: [ask("rest")],
    },
    {
      id: "mqtt",
      title: { en: "Ask over MQTT", "zh-CN": "用 MQTT 提问" },
      widgets: ["call", "diagram"],
      check: (ctx) => {
        const request = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "UserService", topic: /\/rpc\/lab\.v1\.UserService\/GetUser\// });
        const reply = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", topic: /\/reply\/lab\.v1\.UserService\/GetUser\/[^/]+$/ });
        return goals([
          [{ en: "the broker delivered the request to UserService", "zh-CN": "Broker 把请求投递给了 UserService" }, request.length > 0],
          [{ en: "the answer came back on the reply topic", "zh-CN": "响应从回复主题返回" }, reply.length > 0],
        ]);
      },
      hints: [
        { en: "Press “GetUser over MQTT”.", "zh-CN": "按一下“用 MQTT 调用 GetUser”。" },
        { en: "The first MQTT call also connects (CONNECT, SUBSCRIBE): look for the PUBLISH arrows after them.", "zh-CN": "第一次 MQTT 调用还要先建立连接（CONNECT、SUBSCRIBE），PUBLISH 箭头在它们之后。" },
      ],
      solution: [ask("mqtt")],
      wrong: [ask("connect")],
    },
    {
      id: "side-by-side",
      title: { en: "Side by side", "zh-CN": "并排对比" },
      widgets: ["compare", "measure"],
      check: (ctx) =>
        goals(
          (["rest", "connect", "mqtt"] as const).map((mode) => [
            { en: `GetUser over ${mode === "rest" ? "REST" : mode === "connect" ? "Connect" : "MQTT"} succeeded`, "zh-CN": `${mode === "rest" ? "REST" : mode === "connect" ? "Connect" : "MQTT"} 调用 GetUser 成功` },
            clientCalls(ctx.events, { mode, call: "GetUser", status: mode === "rest" ? "200" : "ok" }).length > 0,
          ]),
        ),
      hints: [{ en: "One press of the compare button makes all three calls.", "zh-CN": "按一次对比按钮就会依次发出三个调用。" }],
      solution: [ask("rest"), ask("connect"), ask("mqtt")],
      wrong: [ask("rest"), ask("connect")],
    },
    {
      id: "break",
      title: { en: "Break it: the service is down", "zh-CN": "制造故障：服务不可用" },
      widgets: ["faults", "compare", "call", "diagram"],
      faults: ["user-service-down"],
      check: (ctx) => {
        const rest503 = serverExchanges(ctx.events, { mode: "rest", call: "GetUser", httpStatus: 503 });
        const connect = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", code: "unavailable" });
        const mqttError = mqttPackets(ctx.events, { type: "PUBLISH", from: "UserService", topic: /\/reply\/lab\.v1\.UserService\/GetUser\/[^/]+\/error$/ });
        const failures = [...rest503.map((x) => x.lastSeq), ...connect.map((x) => x.lastSeq), ...mqttError.map((e) => e.seq)];
        const lastFailure = failures.reduce((a, b) => (b > a ? b : a), 0n);
        const recovered = serverExchanges(ctx.events, { call: "GetUser" }).some((x) => (x.code === "ok" || x.httpStatus === 200) && x.from !== "Gateway" && x.firstSeq > lastFailure);
        return goals([
          [{ en: "REST: 503 Service Unavailable", "zh-CN": "REST：503 Service Unavailable" }, rest503.length > 0],
          [{ en: "Connect: code unavailable", "zh-CN": "Connect：错误码 unavailable" }, connect.length > 0],
          [{ en: "MQTT: an answer on the …/error reply topic", "zh-CN": "MQTT：响应出现在 …/error 回复主题上" }, mqttError.length > 0],
          [{ en: "fault off, GetUser works again", "zh-CN": "关闭故障后，GetUser 恢复正常" }, failures.length > 0 && recovered],
        ]);
      },
      hints: [
        { en: "Turn the fault on first, then press the compare button.", "zh-CN": "先打开故障，再按对比按钮。" },
        { en: "To finish, turn the fault off (press it again) and ask over REST once more.", "zh-CN": "最后再按一次故障按钮把它关掉，然后再用 REST 问一次。" },
      ],
      solution: [{ applyFaults: "user-service-down" }, ask("rest"), ask("connect"), ask("mqtt"), { removeFaults: "user-service-down" }, { call: "GetUser", mode: "rest", input: { id: 1 } }],
      wrong: [{ clearFaults: true }, ask("rest"), ask("connect"), ask("mqtt")],
    },
  ],
});

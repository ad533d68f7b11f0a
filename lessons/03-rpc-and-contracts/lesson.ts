import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import { clientCalls, goals, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction } from "@/lib/lessons/types";

const get = (mode: CallAction["mode"], id: number, codec?: CallAction["codec"]): CallAction => ({ call: "GetUser", mode, input: { id }, ...(codec ? { codec } : {}) });
const list = (mode: CallAction["mode"]): CallAction => ({ call: "ListUsers", mode, input: { limit: 0, intervalMs: 300 } });

export default defineLesson({
  title: { en: "RPC and contracts", "zh-CN": "RPC 与契约" },
  summary: {
    en: "Read the contract the code is generated from, see Connect, gRPC-web and gRPC on the wire, weigh JSON against protobuf, get typed errors, and stream.",
    "zh-CN": "读一读生成代码所依据的契约，看 Connect、gRPC-web、gRPC 在线路上的样子，比较 JSON 与 protobuf 的体积，认识有类型的错误，再试试流式调用。",
  },
  minutes: 20,
  faults: [
    {
      id: "cut-stream",
      title: { en: "Cut ListUsers after 400 bytes", "zh-CN": "ListUsers 传到 400 字节时断开" },
      // Headers count too: about 170 bytes of them, then two users get through.
      rules: [{ kind: FaultKind.LIMIT_DATA, target: { method: "ListUsers" }, probability: 1, afterBytes: 400, label: "cut stream" }],
    },
  ],
  quizzes: {
    bidi: {
      question: {
        en: "Seed 1's chat service is `rpc Chat(stream ChatMessage) returns (stream ChatMessage)`. Why can this page not call it over Connect or gRPC-web?",
        "zh-CN": "第一篇参考文章里的聊天服务是 `rpc Chat(stream ChatMessage) returns (stream ChatMessage)`。为什么这个页面无法通过 Connect 或 gRPC-web 调用它？",
      },
      options: [
        { id: "protobuf", text: { en: "Protobuf cannot encode a stream of messages.", "zh-CN": "Protobuf 无法编码消息流。" } },
        {
          id: "fetch-half-duplex",
          text: {
            en: "A browser's fetch sends the whole request body before it hands over the response, so one call cannot send and receive at the same time.",
            "zh-CN": "浏览器的 fetch 要先把整个请求体发完，才会交出响应，所以一个调用没法同时收和发。",
          },
        },
        { id: "http1", text: { en: "HTTP/1.1 forbids a response before the request ends.", "zh-CN": "HTTP/1.1 禁止在请求结束前发送响应。" } },
        { id: "grpc", text: { en: "gRPC has no bidirectional streams; only MQTT does.", "zh-CN": "gRPC 本身不支持双向流，只有 MQTT 支持。" } },
      ],
      answer: "fetch-half-duplex",
      explanation: {
        en: "Fetch can stream a request body only half-duplex: the browser must send all of it before the response is processed. gRPC-web supports unary and server-streaming calls for that reason. A Node client over HTTP/2 has a full-duplex stream per call and can do bidirectional streaming; in a browser the full-duplex options are WebSocket (this page's MQTT connection is one) and, newer, WebTransport.",
        "zh-CN": "fetch 只能以半双工方式流式发送请求体：浏览器必须把请求体全部发完，才会处理响应。正因如此，gRPC-web 只支持一元调用和服务端流。基于 HTTP/2 的 Node 客户端，每个调用都有一条全双工的流，可以做双向流；在浏览器里，全双工的选择是 WebSocket（本页的 MQTT 连接就是一条 WebSocket）以及较新的 WebTransport。",
      },
    },
  },
  steps: [
    {
      id: "contract",
      title: { en: "The contract", "zh-CN": "契约" },
      widgets: ["call", "command", "diagram"],
      check: (ctx) => {
        const json = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", codec: "json", code: "ok" });
        return goals([[{ en: "GetUser over Connect with a JSON body answered ok", "zh-CN": "通过 Connect（JSON 消息体）调用 GetUser，结果为 ok" }, json.length > 0]]);
      },
      hints: [{ en: "Press “GetUser over Connect · JSON”, then click its arrow in the diagram to see the body.", "zh-CN": "按“用 Connect · JSON 调用 GetUser”，再点击图中的箭头查看消息体。" }],
      solution: [get("connect", 123, "json")],
      wrong: [get("rest", 123)],
    },
    {
      id: "on-the-wire",
      title: { en: "Connect and gRPC-web on the wire", "zh-CN": "线路上的 Connect 与 gRPC-web" },
      widgets: ["call", "diagram", "command"],
      check: (ctx) => {
        const connect = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", code: "ok" });
        const web = serverExchanges(ctx.events, { mode: "grpc-web", call: "GetUser", code: "ok" });
        return goals([
          [{ en: "Connect: the body is the bare message", "zh-CN": "Connect：消息体就是消息本身" }, connect.some((x) => x.responseFramingBytes === 0)],
          [{ en: "gRPC-web: an envelope and a trailer frame around it", "zh-CN": "gRPC-web：消息外面有信封和 Trailer 帧" }, web.some((x) => x.responseFramingBytes > 0)],
        ]);
      },
      hints: [{ en: "Make both calls, then open each response arrow in the inspector and compare Content-Type and the byte breakdown.", "zh-CN": "两个调用都发一次，然后在检查器里分别打开响应箭头，对比 Content-Type 和字节构成。" }],
      solution: [get("connect", 123, "json"), get("grpc-web", 123)],
      wrong: [get("connect", 123, "json")],
    },
    {
      id: "bytes",
      title: { en: "JSON or protobuf: count the bytes", "zh-CN": "JSON 还是 protobuf：数一数字节" },
      widgets: ["call", "measure"],
      check: (ctx) => {
        const json = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", codec: "json", code: "ok" }).at(-1);
        const proto = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", codec: "proto", code: "ok" }).at(-1);
        const j = json?.responseBodyBytes;
        const p = proto?.responseBodyBytes;
        return goals([
          [{ en: `the answer as JSON${j ? `: ${j} B` : ""}`, "zh-CN": `JSON 形式的响应${j ? `：${j} B` : ""}` }, j !== undefined],
          [{ en: `the same answer as protobuf${p ? `: ${p} B` : ""}`, "zh-CN": `同一响应的 protobuf 形式${p ? `：${p} B` : ""}` }, p !== undefined],
          [
            { en: j && p ? `protobuf is ${Math.round((100 * p) / j)} % of JSON` : "protobuf is smaller", "zh-CN": j && p ? `protobuf 是 JSON 的 ${Math.round((100 * p) / j)}%` : "protobuf 更小" },
            j !== undefined && p !== undefined && p < j,
          ],
        ]);
      },
      hints: [{ en: "Press both buttons: one asks for JSON, the other for protobuf binary.", "zh-CN": "两个按钮都按一下：一个用 JSON，一个用 protobuf 二进制。" }],
      solution: [get("connect", 1, "json"), get("connect", 1, "binary")],
      wrong: [get("connect", 1, "json"), get("connect", 1, "json")],
    },
    {
      id: "error-codes",
      title: { en: "Typed error codes", "zh-CN": "有类型的错误码" },
      widgets: ["call", "diagram"],
      check: (ctx) => {
        const connect = serverExchanges(ctx.events, { mode: "connect", call: "GetUser", code: "not_found" });
        const web = serverExchanges(ctx.events, { mode: "grpc-web", call: "GetUser", code: "not_found" });
        const invalid = serverExchanges(ctx.events, { call: "GetUser", code: "invalid_argument" });
        return goals([
          [{ en: "Connect: not_found, as HTTP 404", "zh-CN": "Connect：not_found，HTTP 状态 404" }, connect.some((x) => x.httpStatus === 404)],
          [{ en: "gRPC-web: not_found, as HTTP 200 + grpc-status 5", "zh-CN": "gRPC-web：not_found，HTTP 状态 200 + grpc-status 5" }, web.some((x) => x.httpStatus === 200)],
          [{ en: "invalid_argument for id 0", "zh-CN": "id 为 0 时返回 invalid_argument" }, invalid.length > 0],
        ]);
      },
      hints: [{ en: "User 999 does not exist; id 0 is not a valid id.", "zh-CN": "999 号用户不存在；0 不是合法的 id。" }],
      solution: [get("connect", 999), get("grpc-web", 999), get("connect", 0)],
      wrong: [get("connect", 1), get("grpc-web", 1)],
    },
    {
      id: "streaming",
      title: { en: "Server streaming", "zh-CN": "服务端流" },
      widgets: ["call", "faults", "diagram", "command"],
      faults: ["cut-stream"],
      check: (ctx) => {
        const streams = serverExchanges(ctx.events, { call: "ListUsers" }).filter((x) => x.mode !== Mode.REST && x.from !== "Gateway"); // REST answers the whole list at once
        const whole = streams.filter((x) => !x.broken && x.code === "ok" && x.streamMessages >= 3);
        const cut = streams.filter((x) => x.broken && x.streamMessages >= 1);
        const partial = clientCalls(ctx.events, { call: "ListUsers" }).some((c) => c.status !== "ok" && c.responseBytes > 0);
        return goals([
          [{ en: "a whole stream: users one by one, then ok", "zh-CN": "一条完整的流：用户一个个到达，最后是 ok" }, whole.length > 0],
          [{ en: "a stream cut short after some users had arrived", "zh-CN": "一条已经收到部分用户、随后被截断的流" }, cut.length > 0 && partial],
        ]);
      },
      hints: [
        { en: "ListUsers waits 300 ms between users, so you can watch them arrive.", "zh-CN": "ListUsers 每发一个用户停 300 毫秒，你可以看着它们一个个到达。" },
        { en: "Then turn on the fault and stream again; turn it off afterwards.", "zh-CN": "然后打开故障再流一次，之后记得关掉。" },
      ],
      solution: [{ clearFaults: true }, list("connect"), { applyFaults: "cut-stream" }, list("connect"), { removeFaults: "cut-stream" }],
      wrong: [{ clearFaults: true }, list("connect")],
    },
    {
      id: "bidi",
      title: { en: "Why not a chat?", "zh-CN": "为什么不能做聊天？" },
      widgets: ["quiz"],
      check: (ctx) => ctx.answers.bidi === "fetch-half-duplex",
      hints: [{ en: "Think about what the browser does with a request body before it looks at the response.", "zh-CN": "想一想：浏览器在处理响应之前，会怎么处理请求体？" }],
      solution: [{ answer: "bidi", choice: "fetch-half-duplex" }],
      wrong: [{ answer: "bidi", choice: "http1" }],
    },
  ],
});

import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import { clientCalls, goals, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type RestAction } from "@/lib/lessons/types";

const getUser = (id: number): CallAction => ({ call: "GetUser", mode: "rest", input: { id } });
const newUser = { name: "李四", email: "lisi@example.com" };
const renamed = { name: "李四", email: "li.si@example.com" };
const ada = { name: "Ada Lovelace", email: "ada@lovelace.example" };
const get1: RestAction = { rest: "GET", path: "/users/1" };
const get1If: RestAction = { rest: "GET", path: "/users/1", ifNoneMatch: true };

export default defineLesson({
  title: { en: "REST: resources, status codes, caching", "zh-CN": "REST：资源、状态码与缓存" },
  summary: {
    en: "Create, read, update and delete a user; tell a network error from a 4xx and a 5xx; and let ETag answer “nothing changed” with 304.",
    "zh-CN": "对用户做增删改查；分清网络层错误、4xx 和 5xx；再让 ETag 用 304 告诉你“没有变化”。",
  },
  minutes: 15,
  faults: [
    {
      id: "gateway-503",
      title: { en: "Gateway answers 503", "zh-CN": "网关返回 503" },
      rules: [{ kind: FaultKind.ERROR, target: { mode: Mode.REST }, probability: 1, httpStatus: 503, label: "gateway 503" }],
    },
    {
      id: "connection-reset",
      title: { en: "Connection reset", "zh-CN": "连接被重置" },
      rules: [{ kind: FaultKind.RESET, target: { mode: Mode.REST }, probability: 1, afterBytes: 0, label: "connection reset" }],
    },
  ],
  steps: [
    {
      id: "crud",
      title: { en: "Create, read, update, delete", "zh-CN": "增、查、改、删" },
      widgets: ["rest", "diagram"],
      check: (ctx) => {
        const rest = serverExchanges(ctx.events, { mode: "rest" });
        const created = rest.filter((x) => x.method === "POST" && x.path === "/rest/users" && x.httpStatus === 201);
        const updated = rest.filter((x) => x.method === "PUT" && x.httpStatus === 200);
        const deleted = rest.filter((x) => x.method === "DELETE" && x.httpStatus === 204);
        const goneAfter = deleted.some((d) => rest.some((x) => x.method === "GET" && x.path === d.path && x.httpStatus === 404 && x.firstSeq > d.lastSeq));
        return goals([
          [{ en: "POST /rest/users → 201 Created", "zh-CN": "POST /rest/users → 201 Created" }, created.length > 0],
          [{ en: "PUT /rest/users/{id} → 200 OK", "zh-CN": "PUT /rest/users/{id} → 200 OK" }, updated.length > 0],
          [{ en: "DELETE /rest/users/{id} → 204 No Content", "zh-CN": "DELETE /rest/users/{id} → 204 No Content" }, deleted.length > 0],
          [{ en: "GET the deleted user → 404 Not Found", "zh-CN": "再 GET 已删除的用户 → 404 Not Found" }, goneAfter],
        ]);
      },
      hints: [
        { en: "Press the five buttons from top to bottom; the last GET is the same button as the first GET.", "zh-CN": "从上到下依次按按钮；最后那次 GET 就是再按一次前面的 GET 按钮。" },
        { en: "{created} stands for the id in the Location header of your POST: create a user first.", "zh-CN": "{created} 指的是 POST 响应的 Location 头里的 id，所以要先创建用户。" },
      ],
      solution: [
        { rest: "POST", path: "/users", body: newUser },
        { rest: "GET", path: "/users/{created}" },
        { rest: "PUT", path: "/users/{created}", body: renamed },
        { rest: "DELETE", path: "/users/{created}" },
        { rest: "GET", path: "/users/{created}" },
      ],
      wrong: [
        { rest: "POST", path: "/users", body: newUser },
        { rest: "GET", path: "/users/{created}" },
      ],
    },
    {
      id: "error-layers",
      title: { en: "Three layers of failure", "zh-CN": "三层错误" },
      widgets: ["call", "faults", "diagram"],
      faults: ["gateway-503", "connection-reset"],
      check: (ctx) => {
        const rest = clientCalls(ctx.events, { mode: "rest" });
        return goals([
          [{ en: "a 4xx: the request was wrong", "zh-CN": "一个 4xx：请求本身有问题" }, rest.some((c) => /^4\d\d$/.test(c.status ?? ""))],
          [{ en: "a 5xx: the server side failed", "zh-CN": "一个 5xx：服务端出了问题" }, rest.some((c) => /^5\d\d$/.test(c.status ?? ""))],
          [{ en: "a network error: no HTTP answer at all", "zh-CN": "一个网络层错误：根本没有 HTTP 响应" }, rest.some((c) => c.status === "network_error")],
        ]);
      },
      hints: [
        { en: "User 999 does not exist: that is the 4xx.", "zh-CN": "999 号用户不存在，这就是 4xx。" },
        { en: "Turn on one fault, ask for user 1, turn it off; then the other fault.", "zh-CN": "打开一个故障，查询 1 号用户，再关掉；然后换另一个故障。" },
      ],
      solution: [
        getUser(999),
        { applyFaults: "gateway-503" },
        getUser(1),
        { removeFaults: "gateway-503" },
        { applyFaults: "connection-reset" },
        getUser(1),
        { removeFaults: "connection-reset" },
      ],
      wrong: [getUser(999), getUser(1)],
    },
    {
      id: "etag",
      title: { en: "Nothing changed: ETag and 304", "zh-CN": "没有变化：ETag 与 304" },
      widgets: ["rest", "command", "diagram"],
      check: (ctx) => {
        const gets = serverExchanges(ctx.events, { mode: "rest", method: "GET", path: /^\/rest\/users\/\d+$/ });
        const ok = gets.filter((x) => x.httpStatus === 200);
        const notModified = gets.filter((x) => x.httpStatus === 304 && x.responseBodyBytes === 0 && ok.some((o) => o.path === x.path && o.lastSeq < x.firstSeq));
        const calls = clientCalls(ctx.events, { mode: "rest" });
        const changedThenRevalidated = calls.some(
          (put, i) =>
            put.label.startsWith("PUT ") &&
            put.status === "200" &&
            calls.slice(i + 1).some((g) => g.label.startsWith(`GET ${put.label.slice(4)} · If-None-Match`) && g.status === "200"),
        );
        return goals([
          [{ en: "a 200 with an ETag", "zh-CN": "一个带 ETag 的 200" }, ok.length > 0],
          [{ en: "the same GET with If-None-Match → 304, no body", "zh-CN": "同一个 GET 带上 If-None-Match → 304，没有响应体" }, notModified.length > 0],
          [{ en: "after a PUT, the old ETag no longer matches → 200", "zh-CN": "PUT 之后旧的 ETag 不再匹配 → 200" }, changedThenRevalidated],
        ]);
      },
      hints: [
        { en: "Plain GET first (it remembers the ETag), then the GET with If-None-Match.", "zh-CN": "先发普通的 GET（页面会记下 ETag），再发带 If-None-Match 的 GET。" },
        { en: "Then change the user with PUT and press the If-None-Match button again.", "zh-CN": "然后用 PUT 修改这个用户，再按一次带 If-None-Match 的按钮。" },
      ],
      solution: [{ clearFaults: true }, get1, get1If, { rest: "PUT", path: "/users/1", body: ada }, get1If],
      wrong: [{ clearFaults: true }, get1, get1],
    },
  ],
});

import { gradedQuiz } from "@/lib/lessons/stats";
import { defineLesson, type Action, type L10n, type QuizDefinition } from "@/lib/lessons/types";

/**
 * The seeds' scenarios as a graded quiz: each question is answered once
 * (`<Quiz graded>`), every option says why it is right or wrong, and a
 * step passes on its score.
 */
const QUIZZES: Record<string, QuizDefinition> = {
  "public-api": {
    question: {
      en: "Your shop opens an API to third parties: partners' servers, scripts, someone trying it with curl. What should they call?",
      "zh-CN": "你的电商系统要把 API 开放给第三方：合作方的服务器、各种脚本，还有拿 curl 试一试的开发者。他们应该调用什么？",
    },
    options: [
      {
        id: "grpc",
        text: { en: "gRPC: it is faster and typed", "zh-CN": "gRPC：更快，还有类型" },
        why: {
          en: "Every partner would need your .proto files and a gRPC client over HTTP/2 with trailers; a browser or a quick curl cannot call it. Speed is not the problem at the edge.",
          "zh-CN": "每个合作方都得拿到你的 .proto 文件，还得有一个跑在 HTTP/2 上、能读 Trailer 的 gRPC 客户端；浏览器和随手一个 curl 都调不了它。在系统边缘，速度并不是问题所在。",
        },
      },
      {
        id: "rest",
        text: { en: "REST over HTTPS, JSON bodies, documented (OpenAPI/Swagger)", "zh-CN": "HTTPS 上的 REST，JSON 消息体，配上文档（OpenAPI/Swagger）" },
        why: { en: "Every language and tool speaks it, and standard HTTP gateways, caches and CDNs understand it.", "zh-CN": "所有语言和工具都支持它，标准的 HTTP 网关、缓存和 CDN 也都认得它。" },
      },
      {
        id: "mq",
        text: { en: "A message queue they publish to", "zh-CN": "让他们往消息队列里发消息" },
        why: {
          en: "Partners expect an answer to each request (“here is your order”), and you would be handing your broker to strangers.",
          "zh-CN": "合作方希望每个请求都有答复（“这是你的订单”），而且这等于把你的 Broker 交给了外人。",
        },
      },
    ],
    answer: "rest",
    explanation: {
      en: "Both seeds agree: HTTP/JSON is the standard for APIs others consume — any client, any tool, standard headers (Authorization, Cache-Control) that gateways and CDNs understand. Inside, the gateway can still call gRPC services (lesson 1).",
      "zh-CN": "两篇参考文章的看法一致：HTTP/JSON 是给别人用的 API 的事实标准——什么客户端、什么工具都能用，网关和 CDN 也认得 Authorization、Cache-Control 这些标准头部。在内部，网关照样可以调用 gRPC 服务（第 1 课）。",
    },
  },
  "internal-calls": {
    question: {
      en: "Inside the system, the order service asks the user service about the buyer on every order: thousands of calls a second, teams in Go and Java, and the same interface has to hold for both.",
      "zh-CN": "在系统内部，订单服务每下一单都要向用户服务查询买家信息：每秒几千次调用，团队分别用 Go 和 Java，双方要守同一套接口。",
    },
    options: [
      {
        id: "rest",
        text: { en: "REST with JSON, a new HTTP connection per call", "zh-CN": "REST + JSON，每次调用新建一条 HTTP 连接" },
        why: {
          en: "It works, but nothing checks the two sides against one contract, and a new connection per call pays its setup every time (lesson 10; seed 2's advice is to reuse connections).",
          "zh-CN": "能用，但没有一份契约约束双方；而且每次调用都新建连接，每次都要付建连的代价（第 10 课；第二篇参考文章的建议是复用连接）。",
        },
      },
      {
        id: "mq",
        text: { en: "Publish a question to the queue and wait for an answer message", "zh-CN": "往队列里发一个问题，再等答复消息" },
        why: {
          en: "Request/reply over a broker works (lesson 1), but the order service waits anyway, now with two extra hops and only the error codes you invent (the lab's go on an …/error reply topic).",
          "zh-CN": "通过 Broker 做请求/回复也行得通（第 1 课），但订单服务照样要等，还多了两跳，错误码也只能自己约定（实验室把它们发在 …/error 回复主题上）。",
        },
      },
      {
        id: "grpc",
        text: { en: "gRPC over HTTP/2, from one .proto, with reused connections", "zh-CN": "基于同一个 .proto 的 gRPC，走 HTTP/2，并复用连接" },
        why: { en: "One contract generates both sides' code; protobuf is compact; one HTTP/2 connection carries many calls at once.", "zh-CN": "一份契约生成双方的代码；protobuf 紧凑；一条 HTTP/2 连接能同时承载很多调用。" },
      },
    ],
    answer: "grpc",
    explanation: {
      en: "Seed 1's rule: gRPC inside — performance and type safety. The contract is the .proto (lesson 3); the speed depends on conditions you measure yourself (lesson 10). Seed 2 adds: reuse the ClientConn, set deadlines, and use service discovery.",
      "zh-CN": "第一篇参考文章的原则：内部用 gRPC——性能与类型安全。契约就是 .proto（第 3 课）；至于快多少，要在你自己的条件下测（第 10 课）。第二篇补充：复用 ClientConn、设置超时、配合服务发现。",
    },
  },
  chat: {
    question: {
      en: "A chat service: mobile and desktop apps keep one connection open, and both sides send messages at any moment.",
      "zh-CN": "一个聊天服务：手机和桌面应用保持一条长连接，双方随时都可能发消息。",
    },
    options: [
      {
        id: "polling",
        text: { en: "REST: each app asks GET /messages every second", "zh-CN": "REST：每个应用每秒请求一次 GET /messages" },
        why: {
          en: "Most polls find nothing, each costs a full request with its headers (lesson 10), and a message waits up to a second.",
          "zh-CN": "大多数轮询一无所获，每次都是带全套头部的完整请求（第 10 课），消息还要最多等上一秒。",
        },
      },
      {
        id: "bidi",
        text: { en: "A gRPC bidirectional stream per user: rpc Chat(stream ChatMessage) returns (stream ChatMessage)", "zh-CN": "每个用户一条 gRPC 双向流：rpc Chat(stream ChatMessage) returns (stream ChatMessage)" },
        why: {
          en: "One long-lived call carries messages both ways on an HTTP/2 stream. A web page cannot do this over fetch (lesson 3): there, a WebSocket plays the same part.",
          "zh-CN": "一个长期存在的调用在一条 HTTP/2 流上双向传消息。网页无法通过 fetch 做到这一点（第 3 课）：在浏览器里，扮演同样角色的是 WebSocket。",
        },
      },
      {
        id: "unary",
        text: { en: "A unary gRPC call per message", "zh-CN": "每条消息一个 gRPC 一元调用" },
        why: {
          en: "Sending works, but receiving does not: the server cannot call the app, so the app would be back to polling.",
          "zh-CN": "发送没问题，接收却不行：服务器没法主动调用应用，应用又得回去轮询。",
        },
      },
    ],
    answer: "bidi",
    explanation: {
      en: "Seed 1's chat scenario uses gRPC bidirectional streaming for real-time messages. Behind the chat servers a queue often fans messages out between them; the link to each app is the stream.",
      "zh-CN": "第一篇参考文章的实时聊天场景用的正是 gRPC 双向流。在聊天服务器之间，常常还会用队列把消息扇出给彼此；而连到每个应用的那条链路，就是这条流。",
    },
  },
  "log-collection": {
    question: {
      en: "Every service writes logs, in bursts when something goes wrong. An indexer and an alerting job both read them, and neither may slow down the services.",
      "zh-CN": "每个服务都在写日志，出问题时更是一阵一阵地猛增。索引程序和告警任务都要读这些日志，而且谁都不能拖慢业务服务。",
    },
    options: [
      {
        id: "rest",
        text: { en: "Each service POSTs every log line to the indexer's REST API", "zh-CN": "每个服务把每行日志 POST 到索引程序的 REST API" },
        why: {
          en: "Every service now waits for the indexer; when it is slow or down, the services slow down or lose logs, and alerting needs a second copy of every call.",
          "zh-CN": "这样每个服务都得等索引程序；它一慢一挂，业务服务就跟着变慢或丢日志，告警还得再收一份同样的调用。",
        },
      },
      {
        id: "stream",
        text: { en: "Each service keeps a gRPC stream to the indexer", "zh-CN": "每个服务保持一条到索引程序的 gRPC 流" },
        why: {
          en: "Cheaper than a request per line, and seed 1 lists streaming for logs. But bursts still land on the indexer as they happen, and alerting needs streams of its own.",
          "zh-CN": "比每行一个请求省得多，第一篇参考文章也把日志列为流式传输的场景。但突发流量还是会原样砸到索引程序上，告警也得另开自己的流。",
        },
      },
      {
        id: "mq",
        text: { en: "Services publish to a message queue (Kafka); the indexer and alerting consume at their own pace", "zh-CN": "服务把日志发到消息队列（Kafka）；索引和告警按自己的节奏消费" },
        why: {
          en: "The queue absorbs the bursts, the services never wait for the indexer, and a second consumer is one more subscription.",
          "zh-CN": "队列吸收突发流量，业务服务从不等待索引程序，再加一个消费者也只是多一个订阅。",
        },
      },
    ],
    answer: "mq",
    explanation: {
      en: "Seed 1's log collection: Application → Kafka → LogStash → Elasticsearch, because “the message queue buffers large volumes of logs, protects against traffic spikes and supports several consumers”.",
      "zh-CN": "第一篇参考文章的日志收集场景：Application → Kafka → LogStash → Elasticsearch，理由是“消息队列缓冲大量日志，防止流量冲击，支持多消费者”。",
    },
  },
  "flash-sale": {
    question: {
      en: "A flash sale (秒杀): at 10:00 a hundred times the usual orders arrive within seconds; stock and payment can handle a steady fraction of that.",
      "zh-CN": "一场秒杀：10 点整，几秒内涌入平时一百倍的订单；库存和支付只能以平稳的速度处理其中一小部分。",
    },
    options: [
      {
        id: "sync",
        text: { en: "Call stock and payment synchronously over gRPC, it is fast enough", "zh-CN": "通过 gRPC 同步调用库存和支付，gRPC 够快" },
        why: {
          en: "A faster protocol does not add capacity. Calls pile up, time out and get retried, and the retries make it worse (lesson 9).",
          "zh-CN": "协议再快也不会增加处理能力。调用越积越多，超时、重试，重试又让情况更糟（第 9 课）。",
        },
      },
      {
        id: "retry",
        text: { en: "Synchronous REST, with clients retrying until they get through", "zh-CN": "同步 REST，客户端一直重试直到成功" },
        why: {
          en: "That is a retry storm by design: the overloaded services see the peak multiplied by every retry.",
          "zh-CN": "这等于主动制造重试风暴：本已过载的服务要承受峰值乘以重试次数的流量。",
        },
      },
      {
        id: "queue",
        text: { en: "Accept each order into a queue, answer “received”, and let stock and payment work through it at their pace", "zh-CN": "把每个订单先收进队列，答复“已受理”，再让库存和支付按自己的速度消化" },
        why: { en: "The queue takes the peak and the services see a flow they can handle: “削峰填谷”.", "zh-CN": "队列扛住峰值，服务看到的是它们处理得了的平稳流量：削峰填谷。" },
      },
    ],
    answer: "queue",
    explanation: {
      en: "Seed 1 lists flash sales (秒杀、抢购) as a job for the message queue: peak shaving. The buyer gets an immediate answer that the order is accepted; the result follows asynchronously, and consumers must be idempotent because a message can arrive twice (seed 2).",
      "zh-CN": "第一篇参考文章把秒杀、抢购列为消息队列的用武之地：削峰填谷。买家立刻得到“订单已受理”的答复，结果异步送达；由于同一条消息可能到达两次，消费者必须幂等（第二篇参考文章）。",
    },
  },
  "order-flow": {
    question: {
      en: "A buyer places an order. What should the order service do before it answers?",
      "zh-CN": "买家下了一单。订单服务在返回之前应该做些什么？",
    },
    options: [
      {
        id: "all-sync",
        text: { en: "Call inventory, notification and logistics in turn, then answer", "zh-CN": "依次调用库存、通知、物流，然后返回" },
        why: {
          en: "The buyer waits for the slowest of them, and any one of them failing fails the order.",
          "zh-CN": "买家得等其中最慢的那个，而且任何一个失败，整个订单就失败。",
        },
      },
      {
        id: "sync-then-async",
        text: { en: "Store the order, publish order.created, answer with the order id", "zh-CN": "保存订单，发布 order.created，带着订单号返回" },
        why: { en: "The buyer waits for what they need now; stock, notification and shipping follow (lesson 11).", "zh-CN": "买家只等此刻需要的东西；库存、通知、发货随后进行（第 11 课）。" },
      },
      {
        id: "all-async",
        text: { en: "Only publish an event; a consumer creates the order and e-mails the id", "zh-CN": "只发布一个事件；由某个消费者创建订单，再把订单号发邮件告诉买家" },
        why: {
          en: "The buyer gets no order id now, and cannot tell “accepted” from “lost”.",
          "zh-CN": "买家当下拿不到订单号，分不清订单是“已受理”还是“丢了”。",
        },
      },
    ],
    answer: "sync-then-async",
    explanation: {
      en: "Seed 1's “同步 + 异步混合”: create the order synchronously and return its id at once; send the follow-up work asynchronously through the queue.",
      "zh-CN": "第一篇参考文章的“同步 + 异步混合”：同步创建订单并立即返回订单 ID，后续流程通过消息队列异步处理。",
    },
  },
  "browser-to-grpc": {
    question: {
      en: "The shop's web page needs data from the user service, which speaks gRPC. How does the page reach it?",
      "zh-CN": "电商网页需要用户服务的数据，而用户服务只讲 gRPC。网页该怎么访问它？",
    },
    options: [
      {
        id: "native",
        text: { en: "Native gRPC from the browser, over HTTP/2", "zh-CN": "在浏览器里直接用原生 gRPC，走 HTTP/2" },
        why: {
          en: "A page cannot read HTTP/2 trailers, where gRPC puts its status; that is why gRPC-web exists (lesson 3).",
          "zh-CN": "网页读不到 HTTP/2 的 Trailer，而 gRPC 的状态就放在那里；gRPC-web 正是为此而生（第 3 课）。",
        },
      },
      {
        id: "queue",
        text: { en: "Publish requests on the broker from the page", "zh-CN": "让网页往 Broker 上发请求" },
        why: {
          en: "Possible over MQTT on WebSocket (lesson 1), but it opens your broker to every browser and makes a simple read asynchronous.",
          "zh-CN": "通过 WebSocket 上的 MQTT 也能做到（第 1 课），但这等于把 Broker 开放给所有浏览器，还把一次简单的读取变成了异步。",
        },
      },
      {
        id: "gateway-or-web",
        text: { en: "Through a gateway that speaks REST outside and gRPC inside — or over gRPC-web or Connect", "zh-CN": "通过一个对外讲 REST、对内讲 gRPC 的网关——或者用 gRPC-web、Connect" },
        why: { en: "Both are what this lab does: REST through the Gateway, and Connect or gRPC-web straight to the service.", "zh-CN": "这两种做法实验室里都有：REST 经过 Gateway，Connect 或 gRPC-web 直达服务。" },
      },
    ],
    answer: "gateway-or-web",
    explanation: {
      en: "Seed 1's API gateway converts HTTP to gRPC; seed 1 also lists “浏览器支持差：需要 grpc-web 代理” as gRPC's weak point. Connect and gRPC-web are how a browser calls an RPC service directly.",
      "zh-CN": "第一篇参考文章的 API 网关负责把 HTTP 转成 gRPC；它也把“浏览器支持差：需要 grpc-web 代理”列为 gRPC 的缺点。浏览器要直接调用 RPC 服务，靠的就是 Connect 和 gRPC-web。",
    },
  },
  "duplicate-message": {
    question: {
      en: "The inventory consumer receives order.created at QoS 1. What must it be ready for?",
      "zh-CN": "库存消费者以 QoS 1 接收 order.created。它必须为什么做好准备？",
    },
    options: [
      {
        id: "qos0",
        text: { en: "Nothing, if it switches to QoS 0", "zh-CN": "改成 QoS 0 就什么都不用管了" },
        why: { en: "QoS 0 is at most once: no duplicates, but a lost message is gone, and so is an order's stock decrement.", "zh-CN": "QoS 0 是“最多一次”：没有重复，但丢了的消息就真丢了，订单的库存扣减也跟着丢了。" },
      },
      {
        id: "idempotent",
        text: { en: "The same message arriving twice: process it idempotently, e.g. skip a message id it has seen", "zh-CN": "同一条消息到达两次：处理要幂等，例如跳过已经处理过的消息 ID" },
        why: { en: "QoS 1 is at least once: after a lost acknowledgement or a crash the broker delivers again.", "zh-CN": "QoS 1 是“至少一次”：确认丢失或消费者崩溃后，Broker 会再投递一次。" },
      },
      {
        id: "ack-first",
        text: { en: "Acknowledge first, then process, so there is nothing to redeliver", "zh-CN": "先确认再处理，这样就不会有重新投递" },
        why: { en: "Then a crash during processing loses the message: the broker already thinks it was handled.", "zh-CN": "这样一来，处理过程中一旦崩溃，消息就丢了：Broker 以为它已经处理完了。" },
      },
    ],
    answer: "idempotent",
    explanation: {
      en: "Seed 2: “所有消费者逻辑必须幂等：同一条 OrderCreated 消息被投递两次，库存扣减结果也得和一次一样” — every consumer must be idempotent (MQTT 3.1.1 §4.3.2).",
      "zh-CN": "第二篇参考文章：“所有消费者逻辑必须幂等：同一条 OrderCreated 消息被投递两次，库存扣减结果也得和一次一样”（MQTT 3.1.1 §4.3.2）。",
    },
  },
};

const SCENARIOS: Record<string, L10n> = {
  "public-api": { en: "a public API", "zh-CN": "对外开放 API" },
  "internal-calls": { en: "internal calls", "zh-CN": "内部服务调用" },
  chat: { en: "chat", "zh-CN": "实时聊天" },
  "log-collection": { en: "log collection", "zh-CN": "日志收集" },
  "flash-sale": { en: "a flash sale", "zh-CN": "秒杀" },
};
const COMBINATIONS: Record<string, L10n> = {
  "order-flow": { en: "an order, synchronous and asynchronous", "zh-CN": "下单：同步与异步" },
  "browser-to-grpc": { en: "a web page and a gRPC service", "zh-CN": "网页与 gRPC 服务" },
  "duplicate-message": { en: "a message that arrives twice", "zh-CN": "到达两次的消息" },
};

const answerAll = (titles: Record<string, L10n>): Action[] => Object.keys(titles).map((id) => ({ answer: id, choice: QUIZZES[id].answer }));
/** Right on all but the last `wrong` questions (their first wrong option instead). */
function answerSome(titles: Record<string, L10n>, wrong: number): Action[] {
  const ids = Object.keys(titles);
  return ids.map((id, i) => ({ answer: id, choice: i < ids.length - wrong ? QUIZZES[id].answer : QUIZZES[id].options.find((o) => o.id !== QUIZZES[id].answer)!.id }));
}

export default defineLesson({
  title: { en: "Choosing", "zh-CN": "如何选择" },
  summary: {
    en: "The seeds' scenarios — a public API, internal calls, chat, log collection, a flash sale — and how to combine the three ways of talking, as a graded quiz with the reasons behind every answer.",
    "zh-CN": "参考文章里的各种场景——对外 API、内部调用、聊天、日志收集、秒杀——以及三种通信方式怎么组合，做成一份计分测验，每个答案都讲清楚理由。",
  },
  minutes: 15,
  quizzes: QUIZZES,
  steps: [
    {
      id: "scenarios",
      title: { en: "Five scenarios", "zh-CN": "五个场景" },
      widgets: ["quiz"],
      check: (ctx) => gradedQuiz(ctx.answers, QUIZZES, SCENARIOS, 4),
      hints: [
        { en: "Ask who calls (outsiders, your own services, apps that stay connected), and who waits for the answer.", "zh-CN": "先问是谁在调用（外部、你自己的服务、一直在线的应用），再问谁在等答复。" },
        { en: "A queue is for work nobody waits on and for peaks; RPC for fast typed calls inside; REST for the outside.", "zh-CN": "队列适合没人等结果的工作和流量高峰；RPC 适合内部快速、有类型的调用；REST 适合对外。" },
      ],
      solution: answerAll(SCENARIOS),
      wrong: answerSome(SCENARIOS, 2),
    },
    {
      id: "combinations",
      title: { en: "Combining them", "zh-CN": "组合使用" },
      widgets: ["quiz"],
      check: (ctx) => gradedQuiz(ctx.answers, QUIZZES, COMBINATIONS, 2),
      hints: [{ en: "Lessons 4 and 11 answer the first question, lessons 1 and 3 the second, lessons 5 and 8 the third.", "zh-CN": "第一题看第 4、11 课，第二题看第 1、3 课，第三题看第 5、8 课。" }],
      solution: answerAll(COMBINATIONS),
      wrong: answerSome(COMBINATIONS, 2),
    },
  ],
});

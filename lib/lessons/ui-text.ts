import type { L10n, Locale } from "./types";

/**
 * Every word of the lesson UI (not of the lessons themselves), in both
 * languages. Terms follow lessons/glossary.ts.
 */
export const UI = {
  lessons: { en: "Lessons", "zh-CN": "课程" },
  lessonN: { en: "Lesson {n}", "zh-CN": "第 {n} 课" },
  steps: { en: "{n} steps", "zh-CN": "{n} 步" },
  minutes: { en: "~{n} min", "zh-CN": "约 {n} 分钟" },
  progressOf: { en: "{done} of {total} steps done", "zh-CN": "已完成 {done}/{total} 步" },
  notStarted: { en: "not started", "zh-CN": "未开始" },
  completed: { en: "completed", "zh-CN": "已完成" },
  language: { en: "Language", "zh-CN": "语言" },
  stepN: { en: "Step {n}", "zh-CN": "第 {n} 步" },
  passed: { en: "Passed", "zh-CN": "已通过" },
  active: { en: "Your turn", "zh-CN": "进行中" },
  locked: { en: "Finish the step before to open this one.", "zh-CN": "先完成上一步，这一步才会打开。" },
  goal: { en: "Goal", "zh-CN": "目标" },
  goalWaiting: { en: "Watching the live trace…", "zh-CN": "正在观察实时追踪……" },
  goalPassed: { en: "Goal reached on the live trace.", "zh-CN": "实时追踪已确认目标达成。" },
  checkFailed: { en: "This step's check failed: {error}", "zh-CN": "这一步的检查出错：{error}" },
  hint: { en: "Hint", "zh-CN": "提示" },
  showHint: { en: "Show a hint", "zh-CN": "给我一个提示" },
  nextHint: { en: "Another hint", "zh-CN": "再来一个提示" },
  showSolution: { en: "Show solution", "zh-CN": "查看参考答案" },
  hideSolution: { en: "Hide solution", "zh-CN": "收起参考答案" },
  runSolution: { en: "Run solution", "zh-CN": "运行参考答案" },
  runningSolution: { en: "Running…", "zh-CN": "运行中……" },
  solutionFailed: { en: "The solution stopped: {error}", "zh-CN": "参考答案中断：{error}" },
  previous: { en: "Previous lesson", "zh-CN": "上一课" },
  next: { en: "Next lesson", "zh-CN": "下一课" },
  allLessons: { en: "All lessons", "zh-CN": "全部课程" },
  exportProgress: { en: "Export progress", "zh-CN": "导出进度" },
  importProgress: { en: "Import progress", "zh-CN": "导入进度" },
  imported: { en: "Imported: {n} steps passed in all.", "zh-CN": "已导入：共 {n} 步已通过。" },
  importFailed: { en: "Could not import: {error}", "zh-CN": "导入失败：{error}" },
  resetLesson: { en: "Start this lesson over", "zh-CN": "重新开始本课" },
  progressNote: { en: "Progress is kept in this browser.", "zh-CN": "进度保存在本浏览器中。" },
  activeFaults: { en: "Faults on in your sandbox:", "zh-CN": "沙箱中生效的故障：" },
  clearFaults: { en: "Clear faults", "zh-CN": "清除故障" },
  session: { en: "Session", "zh-CN": "会话" },
  traceLive: { en: "trace live", "zh-CN": "追踪已连接" },
  connecting: { en: "connecting", "zh-CN": "连接中" },
  send: { en: "{call} over {mode}", "zh-CN": "用 {mode} 调用 {call}" },
  sending: { en: "Sending…", "zh-CN": "发送中……" },
  streaming: { en: "streaming… {n} received so far", "zh-CN": "流式接收中……已收到 {n} 条" },
  streamedBeforeError: { en: "Received before the error: {n}", "zh-CN": "出错前已收到：{n} 条" },
  roundTrip: { en: "round trip", "zh-CN": "往返" },
  repeatDone: { en: "{done} of {total} calls done", "zh-CN": "已完成 {done}/{total} 次调用" },
  roundRobin: { en: "round-robin over {instances}", "zh-CN": "在 {instances} 间轮询" },
  ejecting: { en: "failed instance out for {s} s", "zh-CN": "失败实例摘除 {s} 秒" },
  fallingBack: { en: "falling back to {mode}", "zh-CN": "失败时降级到 {mode}" },
  repeatTimes: { en: "× {n}", "zh-CN": "× {n}" },
  repeatAtOnce: { en: "× {n}, {c} at a time", "zh-CN": "× {n}，每次并发 {c} 个" },
  runCalls: { en: "{n} calls · {ok} ok · {attempts} attempts", "zh-CN": "{n} 次调用 · {ok} 次成功 · {attempts} 次尝试" },
  answeredByFallback: { en: "attempt {n}, over {mode} (fallback)", "zh-CN": "第 {n} 次尝试，经 {mode}（降级）" },
  afterAttempts: { en: "after {n} attempts", "zh-CN": "共 {n} 次尝试" },
  runFellBack: { en: "{n} answered by the fallback", "zh-CN": "{n} 次由降级路径应答" },
  latencyCaption: { en: "Latency of the calls of the last run, from first send to last answer", "zh-CN": "最近一轮调用的延迟，从第一次发送到最后一次应答" },
  bytesSentReceived: { en: "body {sent} B sent · {received} B received", "zh-CN": "请求体 {sent} B · 响应体 {received} B" },
  response: { en: "Response", "zh-CN": "响应" },
  headers: { en: "Headers", "zh-CN": "响应头" },
  noBody: { en: "(no body)", "zh-CN": "（无响应体）" },
  copy: { en: "Copy", "zh-CN": "复制" },
  copied: { en: "Copied", "zh-CN": "已复制" },
  waitingSession: { en: "Waiting for your session…", "zh-CN": "正在等待会话……" },
  commandNote: { en: "Your session is filled in, so this traffic shows up in your diagram.", "zh-CN": "命令里已填好你的会话，这条流量会出现在你的时序图里。" },
  diagram: { en: "Sequence diagram", "zh-CN": "时序图" },
  diagramEmpty: { en: "Nothing on the wire yet in this step: press a live button above.", "zh-CN": "这一步还没有流量：按一下上面的按钮试试。" },
  compareTitle: { en: "Side by side", "zh-CN": "并排对比" },
  compareRun: { en: "Run {call} in {modes}", "zh-CN": "分别用 {modes} 调用 {call}" },
  compareNote: { en: "each call from its first byte, on one time axis", "zh-CN": "每个调用都从第一个字节算起，共用一条时间轴" },
  faultsTitle: { en: "Break it on purpose", "zh-CN": "主动制造故障" },
  faultOn: { en: "on", "zh-CN": "已开启" },
  allFaults: { en: "Every fault kind", "zh-CN": "全部故障类型" },
  defencesTitle: { en: "Defend it", "zh-CN": "加上防护" },
  allDefences: { en: "Every defence", "zh-CN": "全部防护" },
  countersTitle: { en: "What happened", "zh-CN": "发生了什么" },
  quizCheck: { en: "Check answer", "zh-CN": "提交答案" },
  quizRight: { en: "Right.", "zh-CN": "答对了。" },
  quizWrong: { en: "Not quite — try again.", "zh-CN": "不太对，再想想。" },
  quizWrongGraded: { en: "Not right.", "zh-CN": "答错了。" },
  quizOnce: { en: "Graded: your first answer counts.", "zh-CN": "计分题：以第一次提交的答案为准。" },
  quizAnswerIs: { en: "The answer: {answer}", "zh-CN": "正确答案：{answer}" },
  quizScore: { en: "Score: {right} of {total} right (pass mark {mark})", "zh-CN": "得分：答对 {right}/{total}（及格线 {mark}）" },
  quizRetake: { en: "Below the pass mark: “Start this lesson over” in the sidebar clears your answers for a retake.", "zh-CN": "未达及格线：点击侧栏的“重新开始本课”清空答案，重新作答。" },
  mqttOffline: { en: "offline", "zh-CN": "离线" },
  mqttOnline: { en: "online", "zh-CN": "在线" },
  mqttConnect: { en: "Connect", "zh-CN": "连接" },
  mqttDisconnect: { en: "Disconnect", "zh-CN": "断开" },
  mqttSubscribe: { en: "Subscribe to {topic}", "zh-CN": "订阅 {topic}" },
  mqttPublish: { en: "Publish to {topic}", "zh-CN": "发布到 {topic}" },
  mqttClean: { en: "Clean session", "zh-CN": "清除会话（Clean Session）" },
  mqttSessionPresent: { en: "session present: {v}", "zh-CN": "会话存在（Session Present）：{v}" },
  mqttReceived: { en: "Received ({n})", "zh-CN": "已收到（{n}）" },
  mqttAs: { en: "client id of {name}", "zh-CN": "使用 {name} 的客户端标识符" },
  mqttReconnects: { en: "reconnects by itself", "zh-CN": "断线自动重连" },
  mqttNothing: { en: "No messages yet.", "zh-CN": "还没有收到消息。" },
  yes: { en: "yes", "zh-CN": "是" },
  no: { en: "no", "zh-CN": "否" },
  glossary: { en: "Glossary", "zh-CN": "术语表" },
  playground: { en: "Playground", "zh-CN": "演练场" },
  homeTitle: { en: "See how services talk", "zh-CN": "看见服务之间如何对话" },
  homeLede: {
    en: "Wirelab runs real services on your machine and lets you call them over REST (JSON over HTTP), Connect, gRPC-web and gRPC (protobuf) and MQTT (a message queue). Every request, message and acknowledgement lands in one live trace, with its real bytes and timing.",
    "zh-CN": "Wirelab 在你的机器上运行真实的服务，你可以通过 REST（HTTP 上的 JSON）、Connect、gRPC-web 和 gRPC（protobuf）以及 MQTT（消息队列）调用它们。每一个请求、每一条消息、每一次确认都会进入同一条实时追踪，带着真实的字节和耗时。",
  },
  playgroundCard: {
    en: "Call the same user service in four modes and watch every hop: browser → gateway → service → broker → consumers.",
    "zh-CN": "用四种方式调用同一个用户服务，观察每一跳：浏览器 → 网关 → 服务 → Broker → 消费者。",
  },
  glossaryCard: { en: "The terms the lessons use, in English and Chinese.", "zh-CN": "课程中用到的术语，中英对照。" },
  glossaryLede: {
    en: "The words the lessons use, the same in every lesson. Each term links the English and the Chinese name.",
    "zh-CN": "课程里用到的术语，所有课程保持一致。每个词条都给出英文和中文的叫法。",
  },
  start: { en: "Start", "zh-CN": "开始" },
  continue: { en: "Continue", "zh-CN": "继续" },
  review: { en: "Review", "zh-CN": "回顾" },
} as const satisfies Record<string, L10n>;

export type UiKey = keyof typeof UI;

/** Values for a text's `{name}` placeholders. */
export type TextVars = Readonly<Record<string, string | number>>;

/**
 * The lookup of one strings table: a key's text in `locale`, with `{name}`
 * placeholders filled from `vars` (an unknown name stays as written). Every
 * table of the lab's UI goes through this one function:
 *
 *   const ui = textLookup(UI);
 *   ui("lessonN", "zh-CN", { n: 3 }) // "第 3 课"
 */
export function textLookup<K extends string>(table: Readonly<Record<K, L10n>>): (key: K, locale: Locale, vars?: TextVars) => string {
  return (key, locale, vars = {}) => table[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A lookup bound to one language, for a component: `const t = textIn(measureText, locale); t("startRun")`. */
export function textIn<K extends string>(lookup: (key: K, locale: Locale, vars?: TextVars) => string, locale: Locale): (key: K, vars?: TextVars) => string {
  return (key, vars) => lookup(key, locale, vars);
}

/** A UI text in `locale`, with `{name}` placeholders filled from `vars`. */
export const ui = textLookup(UI);

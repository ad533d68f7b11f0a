import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FaultKind, FaultRuleSchema, OutcomeCountersSchema, type FaultRule } from "@/lib/gen/lab/v1/fault_pb";
import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import { defaultDefences } from "@/lib/faults/catalog";
import { defaultDraft, ruleChipText, validateDraft } from "@/lib/faults/rules";
import { DefencePanel, FaultChips, FaultPanel, OutcomeCountersPanel } from ".";
import { rpcErrorText } from "./lab-rpc";
import { applyEdit, initialDraftState, syncDrafts, withDraft, withKindRule, withoutKind, type DraftEdit } from "./panel-model";

/** What the duplicate row's inputs report when a learner sets "duplicate delivery 100 % on events/# over MQTT". */
const DUPLICATE_ON_EVENTS: DraftEdit[] = [
  { field: "probabilityPct", value: 100 },
  { field: "mode", value: Mode.MQTT },
  { field: "topic", value: "events/#" },
  { field: "label", value: "double charge" },
];

describe("FaultPanel builds rules from its inputs (panel-model)", () => {
  it("duplicate delivery 100 % on events/#", () => {
    const draft = DUPLICATE_ON_EVENTS.reduce(applyEdit, defaultDraft(FaultKind.DUPLICATE));
    const rules = withKindRule([], draft);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      id: "",
      kind: FaultKind.DUPLICATE,
      probability: 1,
      target: { mode: Mode.MQTT, topic: "events/#", service: "", method: "", consumer: "" },
      label: "double charge",
      latencyMs: 0,
      seed: 0n,
    });
  });

  it("latency 150 ± 100 ms at 30 % on UserService.GetUser over gRPC", () => {
    const edits: DraftEdit[] = [
      { field: "param", param: "latencyMs", value: 150 },
      { field: "param", param: "jitterMs", value: 100 },
      { field: "probabilityPct", value: 30 },
      { field: "mode", value: Mode.GRPC },
      { field: "service", value: "UserService" },
      { field: "method", value: "GetUser" },
      { field: "topic", value: "events/#" }, // not read for gRPC: dropped
    ];
    const [r] = withKindRule([], edits.reduce(applyEdit, defaultDraft(FaultKind.LATENCY)));
    expect(r).toMatchObject({ kind: FaultKind.LATENCY, probability: 0.3, latencyMs: 150, jitterMs: 100, target: { mode: Mode.GRPC, service: "UserService", method: "GetUser", topic: "" } });
  });

  it("an error answer with its status and code, lifting itself after a minute", () => {
    const edits: DraftEdit[] = [
      { field: "param", param: "httpStatus", value: 500 },
      { field: "rpcCode", value: "internal" },
      { field: "probabilityPct", value: 12.5 },
      { field: "lifetimeMs", value: 60_000 },
      { field: "seed", value: 42n },
    ];
    const [r] = withKindRule([], edits.reduce(applyEdit, defaultDraft(FaultKind.ERROR)));
    expect(r).toMatchObject({ kind: FaultKind.ERROR, httpStatus: 500, rpcCode: "internal", probability: 0.125, durationMs: 60_000, seed: 42n });
    expect(r.target).toBeUndefined();
  });

  it("switching a mode without MQTT clears the topic", () => {
    const d = applyEdit(applyEdit(defaultDraft(FaultKind.DUPLICATE), { field: "topic", value: "events/#" }), { field: "mode", value: Mode.REST });
    expect(d.topic).toBe("");
  });

  it("a row edits its kind's first rule in place, keeping id and seed; the switch removes the kind", () => {
    const stored = create(FaultRuleSchema, { id: "f1", kind: FaultKind.DUPLICATE, probability: 0.3, seed: 7n, target: { mode: Mode.MQTT, topic: "events/#" } });
    const other = create(FaultRuleSchema, { id: "f2", kind: FaultKind.LATENCY, probability: 1, latencyMs: 100 });
    let s = syncDrafts(initialDraftState(), [stored, other]);
    expect(s.drafts[FaultKind.DUPLICATE]).toMatchObject({ probabilityPct: 30, mode: Mode.MQTT, topic: "events/#", seed: 7n });
    const d = applyEdit(s.drafts[FaultKind.DUPLICATE], { field: "probabilityPct", value: 100 });
    const next = withKindRule([stored, other], d);
    expect(next.map((r) => [r.id, r.probability, r.seed])).toEqual([
      ["f1", 1, 7n],
      ["f2", 1, 0n],
    ]);
    // The row's own change does not bounce back into the draft…
    s = withDraft(s, d, true);
    const typed = syncDrafts(s, next);
    expect(typed.drafts[FaultKind.DUPLICATE]).toBe(s.drafts[FaultKind.DUPLICATE]);
    // …a change from elsewhere (a refusal put back) does.
    expect(syncDrafts(typed, [stored]).drafts[FaultKind.DUPLICATE].probabilityPct).toBe(30);
    expect(withoutKind(next, FaultKind.DUPLICATE).map((r) => r.id)).toEqual(["f2"]);
  });
});

describe("panels (static render)", () => {
  const dup = create(FaultRuleSchema, { id: "f1", kind: FaultKind.DUPLICATE, probability: 1, hits: 3n, target: { mode: Mode.MQTT, topic: "events/#" } });

  it("FaultPanel: a switch per kind, presets, the open row's params and the active rules", () => {
    const html = renderToStaticMarkup(<FaultPanel rules={[dup]} onRulesChange={() => {}} onClear={() => {}} defaultExpanded={[FaultKind.DUPLICATE, FaultKind.LATENCY]} />);
    expect((html.match(/role="switch"/g) ?? []).length).toBe(15);
    expect(html).toMatch(/<input type="checkbox" role="switch"[^>]*checked=""[^>]*\/>Duplicate delivery/);
    for (const p of ["Flaky network", "Lossy queue", "Slow service", "Broker outage (10 s)"]) expect(html).toContain(`>${p}</button>`);
    expect(html).toContain('value="events/#"');
    expect(html).toContain("Latency");
    expect(html).toContain("Jitter ±");
    expect(html).toContain('max="30000"');
    expect(html).toContain(ruleChipText(dup).replace(/&/g, "&amp;"));
    expect(html).toContain("fired 3×");
    expect(html).toContain('aria-label="Remove ⚡ duplicate 100 % · events/# · MQTT"');
  });

  it("FaultPanel shows the server's refusal and disables itself without the RPCs", () => {
    const html = renderToStaticMarkup(<FaultPanel rules={[]} onRulesChange={() => {}} onClear={() => {}} error="The server refused it: latency_ms 40000 is above 30000" available={false} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain("latency_ms 40000 is above 30000");
    expect(html).toContain("no fault injection yet");
    expect(html).toMatch(/<button type="button"[^>]*disabled="">Clear faults/);
  });

  it("DefencePanel groups client, gateway, queue and connections", () => {
    const html = renderToStaticMarkup(<DefencePanel defences={defaultDefences()} onChange={() => {}} />);
    for (const g of ["Client", "Gateway", "Queue", "Connections"]) expect(html).toContain(`<legend>${g}</legend>`);
    expect(html).toContain("Timeout per call");
    expect(html).toContain('value="10000"');
    expect(html).toContain("Idempotency keys");
    expect(html).toContain("(anti-pattern)");
    expect(html).toContain("Dead-letter after");
    expect(html).toContain("PUBACK wait before re-send");
  });

  it("OutcomeCountersPanel shows the verdict and the counters", () => {
    const c = create(OutcomeCountersSchema, { ordersAccepted: 1n, inventoryDecrements: 2n, notificationsSent: 2n, messagesDuplicated: 1n, faultsApplied: 1n, stock: { "sku-book": 98n } });
    const html = renderToStaticMarkup(<OutcomeCountersPanel counters={c} placed={1} />);
    expect(html).toContain("Inventory decremented 2 times for 1 order — 1 order charged twice.");
    expect(html).toMatch(/data-testid="counter-inventory-decrements"[^>]*>2</);
    expect(html).toContain("Stock: sku-book 98");
  });

  it("FaultChips lists active rules, and nothing when none", () => {
    const rules: FaultRule[] = [dup, create(FaultRuleSchema, { kind: FaultKind.LATENCY, probability: 1, latencyMs: 150, jitterMs: 100 })];
    const html = renderToStaticMarkup(<FaultChips rules={rules} />);
    expect(html).toContain('aria-label="Active faults"');
    expect(html).toContain("⚡ duplicate 100 % · events/# · MQTT");
    expect(html).toContain("⚡ latency 150±100 ms 100 %");
    expect(renderToStaticMarkup(<FaultChips rules={[]} />)).toBe("");
  });
});

describe("the panels in Chinese", () => {
  const dup = create(FaultRuleSchema, { id: "r1", kind: FaultKind.DUPLICATE, probability: 1, target: { mode: Mode.MQTT, topic: "events/#" }, hits: 3n });

  it("FaultPanel names its kinds, fields and rules in Chinese, and leaves no English word of its own", () => {
    const html = renderToStaticMarkup(<FaultPanel rules={[dup]} onRulesChange={() => {}} onClear={() => {}} defaultExpanded={[FaultKind.LATENCY, FaultKind.DUPLICATE]} locale="zh-CN" />);
    for (const word of ["<h2", ">故障</h2>", "清除故障", "不稳定的网络", "重复投递", "抖动 ±", "概率", "已触发 3 次", "生效的规则（1/16）", "主题过滤器", "标签、有效期、种子", "延迟（滑块）"]) expect(html).toContain(word);
    expect(html).toContain('aria-label="移除 ⚡ 重复投递 100 % · events/# · MQTT"');
    expect(html).toContain("MQTT 3.1.1 §4.3.1（最多一次）");
    for (const english of ["Clear faults", "Probability", "Active rules", "settings", "Presets", "Topic filter", "(slider)", "the answer never arrives", "at most once"]) expect(html).not.toContain(english);
  });

  it("a rule's problems are told in the page's language", () => {
    const draft = { ...defaultDraft(FaultKind.LATENCY), probabilityPct: 150, topic: "a/#/b" };
    expect(validateDraft(draft)).toEqual(["Probability must be between 0 and 100 %.", "Topic filter: + must fill a whole level and # must be the last level (MQTT 3.1.1 §4.7)."]);
    expect(validateDraft(draft, "zh-CN")).toEqual(["概率必须在 0 到 100 % 之间。", "主题过滤器：+ 必须独占一整层，# 必须是最后一层（MQTT 3.1.1 §4.7）。"]);
  });

  it("DefencePanel, OutcomeCountersPanel and FaultChips too", () => {
    const defences = renderToStaticMarkup(<DefencePanel defences={defaultDefences()} onChange={() => {}} locale="zh-CN" />);
    for (const g of ["客户端", "网关", "队列", "连接"]) expect(defences).toContain(`<legend>${g}</legend>`);
    for (const word of ["每次调用的超时", "幂等键", "（反模式）", "持久会话（CleanSession=0）", "重发前等待 PUBACK"]) expect(defences).toContain(word);
    expect(defences).not.toContain("Timeout per call");

    const c = create(OutcomeCountersSchema, { ordersAccepted: 1n, inventoryDecrements: 2n, notificationsSent: 2n, messagesDuplicated: 1n, faultsApplied: 1n, stock: { "sku-book": 98n } });
    const outcome = renderToStaticMarkup(<OutcomeCountersPanel counters={c} placed={1} locale="zh-CN" />);
    expect(outcome).toContain("1 个订单扣减了库存 2 次——1 个订单被扣了两次。");
    expect(outcome).toContain("库存：sku-book 98");
    // Test ids stay the English slugs, whatever the language.
    expect(outcome).toMatch(/<dt>库存扣减<\/dt><dd[^>]*data-testid="counter-inventory-decrements"[^>]*>2</);

    const chips = renderToStaticMarkup(<FaultChips rules={[dup]} locale="zh-CN" />);
    expect(chips).toContain('aria-label="生效的故障"');
    expect(chips).toContain("⚡ 重复投递 100 % · events/# · MQTT");
  });
});

describe("rpcErrorText", () => {
  it("gives the server's words without the code prefix", () => {
    expect(rpcErrorText(new ConnectError("probability 1.5 is outside 0–1", Code.InvalidArgument), "SetFaults")).toBe("The server refused it: probability 1.5 is outside 0–1");
    expect(rpcErrorText(new ConnectError("x", Code.Unimplemented), "SetFaults")).toBe("This server does not offer LabService.SetFaults yet.");
    expect(rpcErrorText(new ConnectError("too many rules", Code.ResourceExhausted), "SetFaults")).toBe("LabService.SetFaults failed: too many rules (resource_exhausted).");
  });
});

import { describe, expect, it } from "vitest";
import { actionProblems, describeAction, runActions, type ActionDriver } from "./actions";
import { negotiateLocale } from "./locale";
import { mdxSections, unknownComponents } from "./mdx-structure";
import { defineLesson, type Action } from "./types";
import { ui } from "./ui-text";

const lesson = defineLesson({
  title: { en: "t", "zh-CN": "t" },
  summary: { en: "s", "zh-CN": "s" },
  minutes: 1,
  faults: [{ id: "down", title: { en: "Down", "zh-CN": "宕机" }, rules: [] }],
  quizzes: { q: { question: { en: "?", "zh-CN": "？" }, options: [{ id: "a", text: { en: "A", "zh-CN": "甲" } }], answer: "a", explanation: { en: "", "zh-CN": "" } } },
  steps: [],
});

function recorder() {
  const log: string[] = [];
  const rec = (name: string) => async (a?: unknown) => void log.push(`${name}${a === undefined ? "" : ` ${JSON.stringify(a)}`}`);
  const driver: ActionDriver = {
    call: (a) => rec("call")(a.call + "/" + a.mode),
    rest: (a) => rec("rest")(a.rest + " " + a.path),
    applyFaults: rec("applyFaults"),
    removeFaults: rec("removeFaults"),
    clearFaults: () => rec("clearFaults")(),
    applyDefences: rec("applyDefences"),
    setDefences: rec("setDefences"),
    reset: () => rec("reset")(),
    mqtt: (a) => rec("mqtt")(`${a.client} ${a.mqtt}`),
    answer: (a) => rec("answer")(a.choice),
  };
  return { log, driver };
}

describe("the action runner", () => {
  it("runs actions in order, a repeat as its calls", async () => {
    const { log, driver } = recorder();
    const actions: Action[] = [{ applyFaults: "down" }, { repeat: 3, concurrency: 2, action: { call: "GetUser", mode: "rest" } }, { clearFaults: true }, { answer: "q", choice: "a" }, { wait: 1 }];
    const seen: number[] = [];
    await runActions(actions, driver, { onAction: (i) => seen.push(i) });
    expect(log).toEqual(['applyFaults "down"', ...Array(3).fill('call "GetUser/rest"'), "clearFaults", 'answer "a"']);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it("tells the driver when a repeat starts and ends", async () => {
    const { log, driver } = recorder();
    driver.repeatStarted = (r) => void log.push(`start ${r.repeat}`);
    driver.repeatEnded = (r) => void log.push(`end ${r.repeat}`);
    await runActions([{ repeat: 2, action: { rest: "GET", path: "/users/1" } }], driver);
    expect(log).toEqual(["start 2", 'rest "GET /users/1"', 'rest "GET /users/1"', "end 2"]);
  });

  it("starts a background call without waiting for it", async () => {
    const { log, driver } = recorder();
    let finish!: () => void;
    driver.call = (a) => new Promise<void>((resolve) => (finish = () => (log.push(`answered ${a.call}`), resolve())));
    await runActions([{ call: "GetUser", mode: "rest", background: true }, { clearFaults: true }], driver);
    expect(log).toEqual(["clearFaults"]);
    finish();
    await Promise.resolve();
    expect(log).toEqual(["clearFaults", "answered GetUser"]);
  });

  it("stops when aborted", async () => {
    const { driver } = recorder();
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await expect(runActions([{ reset: true }], driver, { signal: ac.signal })).rejects.toThrow("stop");
  });

  it("describes actions in both languages", () => {
    expect(describeAction({ call: "GetUser", mode: "rest", input: { id: 1 } }, "en")).toBe('GetUser {"id":1} over REST');
    expect(describeAction({ call: "GetUser", mode: "connect", codec: "binary" }, "zh-CN")).toBe("用 Connect (protobuf 二进制编码) 调用 GetUser");
    expect(describeAction({ applyFaults: "down" }, "zh-CN", lesson)).toBe("开启故障「宕机」");
    expect(describeAction({ answer: "q", choice: "a" }, "en", lesson)).toBe("Answer: A");
    expect(describeAction({ mqtt: "connect", client: "Logistics", clean: false }, "en")).toBe("Logistics connects (CleanSession=0)");
    expect(describeAction({ mqtt: "connect", client: "PodB", as: "Shipping", reconnect: true }, "en")).toBe("PodB connects (CleanSession=1, with Shipping’s client id, reconnecting by itself)");
    expect(describeAction({ call: "GetUser", mode: "rest", background: true }, "en")).toBe("GetUser over REST, without waiting for the answer");
    expect(describeAction({ repeat: 5, concurrency: 2, action: { rest: "GET", path: "/users/1" } }, "zh-CN")).toBe("重复 5 次（最多 2 个并发）：发送 GET /rest/users/1");
  });

  it("finds actions that name what does not exist", () => {
    expect(actionProblems({ call: "GetUser", mode: "grpc" }, lesson)[0]).toContain("cannot run in a browser");
    expect(actionProblems({ applyFaults: "nope" }, lesson)[0]).toContain("no fault preset");
    expect(actionProblems({ applyFaults: "flaky-network" }, lesson)).toEqual([]);
    expect(actionProblems({ answer: "q", choice: "z" }, lesson)[0]).toContain("no option");
    expect(actionProblems({ mqtt: "subscribe", client: "L", topic: "lab/x" }, lesson)[0]).toContain("relative");
    expect(actionProblems({ rest: "GET", path: "users/1" }, lesson)[0]).toContain('start with "/"');
    expect(actionProblems({ mqtt: "connect", client: "PodA", as: "no such" }, lesson)[0]).toContain("letters and digits");
    expect(actionProblems({ mqtt: "disconnect", client: "PodA", reconnect: true }, lesson)[0]).toContain("belong to mqtt connect");
    expect(actionProblems({ repeat: 2, action: { call: "GetUser", mode: "rest", background: true } }, lesson)[0]).toContain("background");
  });
});

describe("locale", () => {
  it("takes the remembered choice, else Accept-Language", () => {
    expect(negotiateLocale("zh-CN", "en")).toBe("zh-CN");
    expect(negotiateLocale(undefined, "zh-TW,zh;q=0.9,en;q=0.8")).toBe("zh-CN");
    expect(negotiateLocale(undefined, "en-US,en;q=0.9,zh;q=0.8")).toBe("en");
    expect(negotiateLocale("fr", null)).toBe("en");
    expect(ui("progressOf", "en", { done: 1, total: 3 })).toBe("1 of 3 steps done");
  });
});

describe("mdx structure", () => {
  it("reads steps, widgets, terms and citations, ignoring code", () => {
    const src = [
      "Intro <Term id=\"rest\" />",
      '<Step id="a">',
      '<Call call="GetUser" mode="rest" input={{ id: 1 }} /> <Cite spec="rfc9110" section="15.3.1" />',
      "```mdx\n<Faults />\n```",
      "`<Diagram />`",
      "</Step>",
      '<Step id="b">',
      "<Diagram />",
      "</Step>",
    ].join("\n");
    const s = mdxSections(src);
    expect(s.map((x) => x.id)).toEqual(["", "a", "b"]);
    expect(s[0].terms).toEqual(["rest"]);
    expect(s[1].widgets).toEqual(["call"]);
    expect(s[1].citations).toEqual([{ spec: "rfc9110", section: "15.3.1" }]);
    expect(s[2].widgets).toEqual(["diagram"]);
    expect(unknownComponents(src + "<Chart />")).toEqual(["Chart"]);
  });
});

import { describe, expect, it } from "vitest";
import { LabTopicReader, parseTopic, rpcReplyTopic, rpcRequestTopic, sessionOfTopic } from "./topics";

const TOPICS = [
  rpcRequestTopic("s1abcdefgh", "UserService", "GetUser", "corr1"),
  rpcRequestTopic("s1abcdefgh", "UserService", "GetUser", "corr1", "key-9"),
  rpcReplyTopic("s1abcdefgh", "UserService", "CreateUser", "c2"),
  "lab/s1abcdefgh/events/order.created",
  "lab/s1abcdefgh/dlq/inventory",
  "lab/s1abcdefgh/",
  "lab/s1abcdefgh",
  "lab//x",
  "lab/+/reply/#",
  "lab/#",
  "labx/s/rpc",
  "/lab/s/rpc",
  "other/s/rpc/a/b/c",
  "lab/s/rpc/a/b/c/d/e/f/g",
  "lab/s/rpc/a/b/",
  "",
  "lab/s/reply/UserService/GetUser/caller/ünïcødé",
];

describe("LabTopicReader", () => {
  it("reads what parseTopic does, without splitting", () => {
    const reader = new LabTopicReader();
    for (const topic of TOPICS) {
      const parsed = parseTopic(topic);
      expect(reader.read(topic), topic).toBe(parsed !== undefined);
      if (!parsed) continue;
      expect(reader.session, topic).toBe(parsed.session);
      for (const s of [parsed.session, `${parsed.session}x`, parsed.session.slice(1), "s", "", "+"]) expect(reader.sessionIs(s), `${topic} session ${s}`).toBe(parsed.session === s);
      expect(reader.restLength, topic).toBe(Math.min(parsed.rest.length, LabTopicReader.MAX_LEVELS));
      for (let i = 0; i < LabTopicReader.MAX_LEVELS; i++) {
        expect(reader.rest(i), `${topic} [${i}]`).toBe(parsed.rest[i] ?? "");
        for (const level of ["rpc", "reply", "events", "order.created", "", "GetUser"]) {
          expect(reader.restIs(i, level), `${topic} [${i}] ${level}`).toBe(parsed.rest[i] === level);
        }
      }
    }
  });

  it("sessionOfTopic leaves wildcards out", () => {
    expect(sessionOfTopic("lab/+/reply/#")).toBeUndefined();
    expect(sessionOfTopic("lab/s1abcdefgh/x")).toBe("s1abcdefgh");
  });
});

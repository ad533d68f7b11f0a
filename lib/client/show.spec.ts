import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { UserSchema } from "../gen/lab/v1/user_pb";
import { prettyBody, showAnswer, showValue } from "./show";

const user = create(UserSchema, { id: 123n, name: "张三", email: "zhangsan@example.com" });

describe("showing a call's answer", () => {
  it("shows REST's body as it came, numbers as numbers", () => {
    expect(showAnswer({ value: user, responseText: '{"id":123,"name":"张三","email":"zhangsan@example.com"}' })).toBe('{\n  "id": 123,\n  "name": "张三",\n  "email": "zhangsan@example.com"\n}');
  });

  it("shows a protobuf message by its JSON mapping, int64 as a string", () => {
    expect(showAnswer({ value: user })).toContain('"id": "123"');
    expect(showValue([user])).toContain('"id": "123"');
  });

  it("shows a body that is not JSON as it came", () => {
    expect(prettyBody("<html>502</html>")).toBe("<html>502</html>");
    // No body (204 No Content): the value read from the answer, if any.
    expect(showAnswer({ value: user, responseText: "" })).toContain('"id": "123"');
  });
});

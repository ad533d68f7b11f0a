import { create, fromBinary, fromJsonString, toBinary, toJsonString, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { restEchoBody } from "../client";
import { EchoRequestSchema, MeasureCall, type RunConfig } from "../gen/lab/v1/measure_pb";
import { GetUserResponseSchema } from "../gen/lab/v1/user_pb";
import { measureText } from "./measure-text";
import { makeEchoRequest } from "./payload";

/**
 * A serialization micro-benchmark: encode and decode operations per second
 * of one message as JSON (JSON.stringify / JSON.parse, as the REST client
 * does), as protobuf binary and as protobuf JSON (protobuf-es, as the
 * Connect clients do) — bytes in, bytes out, UTF-8 included, since a
 * string is not yet something to send. Run in a worker, so the page stays
 * responsive while it spins.
 */
export type CodecName = "json" | "protobuf" | "protobuf-json";

export interface CodecRate {
  codec: CodecName;
  title: string;
  /** Encoded size in bytes. */
  bytes: number;
  encodePerSec: number;
  decodePerSec: number;
  /** One encode plus one decode. */
  roundTripPerSec: number;
}

export interface SerializationResult {
  /** Which message was measured ("Echo of 4,096 B of users"). */
  message: string;
  /** Where ("Node v20.20.2", the browser's name). */
  engine: string;
  codecs: CodecRate[];
  /** protobuf round trips per second ÷ JSON round trips per second. */
  speedup: number;
}

interface Subject<M extends DescMessage> {
  label: string;
  schema: M;
  message: MessageShape<M>;
  /** The same data as REST sends it. */
  plain: unknown;
}

/** The message a run's call carries: Echo's payload, or seed 1's user (GetUser, ListUsers). */
export function serializationSubject(config: RunConfig): Subject<DescMessage> {
  if (config.call === MeasureCall.ECHO && config.payload) {
    const m = makeEchoRequest(config.payload.shape, config.payload.bytes, config.seed);
    return { label: `Echo of ${config.payload.bytes.toLocaleString("en-US")} B`, schema: EchoRequestSchema, message: m, plain: restEchoBody(m) };
  }
  // Seed 1's example: `User{ID: 123, Name: "张三", Email: "zhangsan@example.com"}`.
  const user = { id: 123, name: "张三", email: "zhangsan@example.com" };
  return {
    label: "GetUserResponse {id: 123, name: 张三}",
    schema: GetUserResponseSchema,
    message: create(GetUserResponseSchema, { user: { ...user, id: BigInt(user.id) } }),
    plain: user,
  };
}

/** Operations per second of `op`, after a warm-up, over about `budgetMs` (batches sized so the clock is read rarely). */
export function opsPerSecond(op: () => number, budgetMs: number, now: () => number): number {
  let sink = 0;
  let batch = 1;
  // Warm-up (JIT): a fifth of the budget, growing the batch to ≥ 2 ms.
  const warmEnd = now() + budgetMs / 5;
  while (now() < warmEnd) {
    const t = now();
    for (let i = 0; i < batch; i++) sink += op();
    if (now() - t < 2) batch *= 2;
  }
  let count = 0;
  const start = now();
  const end = start + budgetMs;
  let t = start;
  while (t < end) {
    for (let i = 0; i < batch; i++) sink += op();
    count += batch;
    t = now();
  }
  if (sink === -1) console.log(sink);
  return (count / (t - start)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measures the three codecs on `subject`, each operation three times for
 * `budgetMs` and the median kept.
 */
export function benchSerialization(subject: Subject<DescMessage>, engine: string, now: () => number, budgetMs = 250): SerializationResult {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const { schema, message, plain } = subject;
  const jsonBytes = enc.encode(JSON.stringify(plain));
  const protoBytes = toBinary(schema, message);
  const protoJsonBytes = enc.encode(toJsonString(schema, message));
  const codecs: Array<{ codec: CodecName; title: string; bytes: number; encode: () => number; decode: () => number }> = [
    { codec: "json", title: measureText("codec.json", "en"), bytes: jsonBytes.length, encode: () => enc.encode(JSON.stringify(plain)).length, decode: () => (JSON.parse(dec.decode(jsonBytes)) ? 1 : 0) },
    { codec: "protobuf", title: measureText("codec.protobuf", "en"), bytes: protoBytes.length, encode: () => toBinary(schema, message).length, decode: () => (fromBinary(schema, protoBytes) ? 1 : 0) },
    {
      codec: "protobuf-json",
      title: measureText("codec.protobuf-json", "en"),
      bytes: protoJsonBytes.length,
      encode: () => enc.encode(toJsonString(schema, message)).length,
      decode: () => (fromJsonString(schema, dec.decode(protoJsonBytes)) ? 1 : 0),
    },
  ];
  const rates: CodecRate[] = codecs.map((c) => {
    const encodePerSec = median([0, 1, 2].map(() => opsPerSecond(c.encode, budgetMs, now)));
    const decodePerSec = median([0, 1, 2].map(() => opsPerSecond(c.decode, budgetMs, now)));
    return { codec: c.codec, title: c.title, bytes: c.bytes, encodePerSec, decodePerSec, roundTripPerSec: 1 / (1 / encodePerSec + 1 / decodePerSec) };
  });
  const rt = (name: CodecName) => rates.find((r) => r.codec === name)!.roundTripPerSec;
  return { message: subject.label, engine, codecs: rates, speedup: rt("protobuf") / rt("json") };
}

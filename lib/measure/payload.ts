import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { restEchoBody } from "../client";
import { EchoRequestSchema, PayloadShape, type EchoRequest } from "../gen/lab/v1/measure_pb";
import { UserSchema, type User } from "../gen/lab/v1/user_pb";

/**
 * Echo payloads: deterministic from a seed (a permalink sends the same
 * bytes), grown to a size given as the request's protobuf JSON encoding —
 * the larger of the two — and the sizes of one message in every encoding
 * the lab sends it in.
 */

/** mulberry32: a small seeded PRNG (not for secrets), the same sequence in Node and the browser. */
export function seededRandom(seed: bigint | number): () => number {
  let a = Number(BigInt.asUintN(32, BigInt(seed))) || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Seed 1's users are 张三 and 李四; the rest keep the mix of scripts.
const GIVEN = ["张三", "李四", "王五", "赵六", "Ada", "Grace", "Alan", "Edsger", "Barbara", "Linus", "Margaret", "Ken"];
const FAMILY = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Torvalds", "Hamilton", "Thompson", "", "", "", ""];
const PINYIN: Record<string, string> = { 张三: "zhangsan", 李四: "lisi", 王五: "wangwu", 赵六: "zhaoliu" };
const WORDS = "the lab measures what crosses the wire 服务 之间 如何 通信 every request and answer 序列化 体积 延迟 吞吐".split(" ");

function user(rand: () => number, i: number): User {
  const given = GIVEN[Math.floor(rand() * GIVEN.length)];
  const family = FAMILY[Math.floor(rand() * FAMILY.length)];
  const name = family ? `${given} ${family}` : given;
  const local = (PINYIN[given] ?? given.toLowerCase()) + (family ? `.${family.toLowerCase()}` : "");
  return create(UserSchema, { id: BigInt(1 + i * 7 + Math.floor(rand() * 7)), name, email: `${local}${i}@example.com` });
}

function number(rand: () => number): number {
  // Magnitudes spread from 1 to 2^31, and some negative: varints of 1–10 bytes.
  const v = Math.floor(2 ** (rand() * 31));
  return rand() < 0.1 ? -v : v;
}

/** Size of a message's protobuf JSON encoding, in UTF-8 bytes. */
export function jsonBytes(m: EchoRequest): number {
  return utf8Length(toJsonString(EchoRequestSchema, m));
}

/**
 * An Echo request of `shape` whose protobuf JSON encoding is as close to
 * `bytes` as the shape allows without going over (a message is never
 * smaller than its empty form, `{}`).
 */
export function makeEchoRequest(shape: PayloadShape, bytes: number, seed: bigint | number): EchoRequest {
  const rand = seededRandom(seed);
  if (shape === PayloadShape.TEXT) {
    // {"text":"…"} costs 11 bytes around the text; fill the rest word by word, then with ASCII.
    const room = bytes - 11;
    let text = "";
    let size = 0;
    while (size < room) {
      const w = WORDS[Math.floor(rand() * WORDS.length)] + " ";
      const n = utf8Length(w);
      if (size + n > room) break;
      text += w;
      size += n;
    }
    text += "x".repeat(Math.max(0, room - size));
    return create(EchoRequestSchema, { text });
  }
  // Grow one item at a time, tracking the JSON size exactly: each item adds
  // its own JSON plus a comma; the first adds the field's `"users":[…]`.
  const users: User[] = [];
  const numbers: number[] = [];
  const numbersShape = shape === PayloadShape.NUMBERS;
  let size = 2; // {}
  for (let i = 0; ; i++) {
    const u = numbersShape ? undefined : user(rand, i);
    const n = numbersShape ? number(rand) : 0;
    let add = u ? utf8Length(toJsonString(UserSchema, u)) : String(n).length;
    add += i > 0 ? 1 : numbersShape ? 12 : 10; // a comma, or "numbers":[] / "users":[]
    if (size + add > bytes) break;
    size += add;
    if (u) users.push(u);
    else numbers.push(n);
  }
  return create(EchoRequestSchema, { users, numbers });
}

/** One message's body size in each encoding the lab sends it in, in bytes. */
export interface EncodedSizes {
  /** REST: seed 1's JSON shape (int64 as a JSON number). */
  restJson: number;
  /** Connect JSON: protobuf's canonical JSON mapping (int64 as a string). */
  protoJson: number;
  /** Connect binary and MQTT payloads: the protobuf encoding. */
  protobuf: number;
  /** gRPC and gRPC-web: protobuf plus the 5-byte Length-Prefixed-Message header (gRPC PROTOCOL-HTTP2). */
  grpcFramed: number;
}

export function encodedSizes(m: EchoRequest): EncodedSizes {
  const protobuf = toBinary(EchoRequestSchema, m).length;
  return { restJson: utf8Length(JSON.stringify(restEchoBody(m))), protoJson: jsonBytes(m), protobuf, grpcFramed: protobuf + 5 };
}

/** Sizes of the payload size control's sweep, in bytes (JSON), up to MEASURE_LIMITS.payloadBytes. */
export const SIZE_SWEEP: readonly number[] = [64, 128, 256, 512, 1_024, 2_048, 4_096, 8_192, 16_384, 32_768, 65_536];

export interface SweepPoint extends EncodedSizes {
  target: number;
  /** protobuf ÷ REST JSON. */
  ratio: number;
}

/**
 * The encoded sizes of `shape` at every size of SIZE_SWEEP (the same seed,
 * so the curve is stable), leaving out sizes too small to hold one item of
 * the shape (an empty message has no ratio to speak of).
 */
export function sizeSweep(shape: PayloadShape, seed: bigint | number, sizes: readonly number[] = SIZE_SWEEP): SweepPoint[] {
  return sizes.flatMap((target) => {
    const s = encodedSizes(makeEchoRequest(shape, target, seed));
    return s.protobuf > 0 ? [{ target, ...s, ratio: s.protobuf / s.restJson }] : [];
  });
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

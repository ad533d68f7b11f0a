import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { EchoRequest, EchoService } from "../../lib/gen/lab/v1/measure_pb";
import { MEASURE_LIMITS } from "../../lib/measure/limits";
import { USER_FIELD_MAX_CHARS } from "./user-service";

const varintSize = (v: bigint): number => {
  let u = BigInt.asUintN(64, v);
  let n = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    n++;
  }
  return n;
};
const int32Size = (v: number): number => (v < 0 ? 10 : v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
const lengthSize = (len: number): number => (len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x200000 ? 3 : 4);
const stringField = (s: string): number => {
  if (s === "") return 0;
  const len = Buffer.byteLength(s);
  return 1 + lengthSize(len) + len;
};

/**
 * The protobuf size of an echo request in bytes — what toBinary would
 * produce — counted without encoding it a second time: tags, lengths,
 * varints and UTF-8 strings (protobuf encoding guide, "Message Structure").
 */
export function echoProtobufSize(req: EchoRequest): number {
  let n = stringField(req.text);
  for (const u of req.users) {
    const size = (u.id !== 0n ? 1 + varintSize(u.id) : 0) + stringField(u.name) + stringField(u.email);
    n += 1 + lengthSize(size) + size;
  }
  if (req.numbers.length > 0) {
    let packed = 0;
    for (const v of req.numbers) packed += int32Size(v);
    n += 1 + lengthSize(packed) + packed;
  }
  return n;
}

/**
 * The echo service: answers with the message it got, so a run can send a
 * payload of a chosen size in every mode. Over MEASURE_LIMITS.payloadBytes
 * it is refused, naming the limit; the transports' body limit
 * (MAX_BODY_BYTES) stops larger bodies before they are read.
 */
export const echoService: ServiceImpl<typeof EchoService> = {
  echo(req) {
    for (const u of req.users) {
      if (u.name.length > USER_FIELD_MAX_CHARS || u.email.length > USER_FIELD_MAX_CHARS) {
        throw new ConnectError(`a user's name or email is longer than ${USER_FIELD_MAX_CHARS} characters`, Code.InvalidArgument);
      }
    }
    const size = echoProtobufSize(req);
    if (size > MEASURE_LIMITS.payloadBytes) {
      throw new ConnectError(
        `echo request of ${size.toLocaleString("en-US")} bytes (protobuf) is over the limit of ${MEASURE_LIMITS.payloadBytes.toLocaleString("en-US")} bytes (MEASURE_LIMITS.payloadBytes)`,
        Code.ResourceExhausted,
      );
    }
    return { users: req.users, numbers: req.numbers, text: req.text };
  },
};

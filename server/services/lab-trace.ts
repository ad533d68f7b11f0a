import { create } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { StreamTraceResponseSchema, type LabService, type StreamTraceResponse } from "../../lib/gen/lab/v1/lab_pb";
import { EVENTS_FIELD_TAG, MAX_GET_EVENTS, type TraceBatch, type TraceHub } from "../trace/trace-hub";
import { hopOf } from "./hop-context";

/** A keep-alive batch is sent this often on an idle trace stream, so proxies keep it open. */
const STREAM_HEARTBEAT_MS = 15_000;

/**
 * A StreamTraceResponse whose events are already encoded: they travel as
 * the message's unknown fields, which protobuf-es's toBinary writes as a
 * tag (here field 1, length-delimited) followed by the data as it is. A
 * run of encoded `events` fields (TraceBatch.encoded) is one entry: its
 * first tag byte is left for toBinary to write, the rest — the first
 * event's length and bytes, then tag, length and bytes of each following
 * event — goes as it is. On the wire it is an ordinary StreamTraceResponse;
 * the events just skip being made into messages and encoded field by field,
 * and a batch of thousands of events is a few pieces for toBinary to join.
 */
function encodedResponse(batch: TraceBatch): StreamTraceResponse {
  const res = create(StreamTraceResponseSchema, { dropped: BigInt(batch.dropped) });
  res.$unknown = (batch.encoded ?? []).map((run) => {
    if (run[0] !== EVENTS_FIELD_TAG) throw new Error("trace: an encoded run must start with the events field's tag");
    return { no: 1, wireType: WireType.LengthDelimited, data: run.subarray(1) };
  });
  return res;
}

/** Whether the call's messages are protobuf binary (not JSON, which has no use for unknown fields). */
function isBinary(ctx: HandlerContext): boolean {
  return !/json/i.test(ctx.requestHeader.get("content-type") ?? "");
}

type TraceMethods = Pick<ServiceImpl<typeof LabService>, "streamTrace" | "getEvents">;

/**
 * LabService's trace methods: the live stream of a session's events and
 * whole events by seq. A page streams light events (no wire bytes, no
 * header or trailer maps: most of an event's size, and of the cost of
 * building and encoding it) and asks GetEvents for the whole ones it
 * inspects or exports.
 */
export function createLabTraceMethods(hub: TraceHub): TraceMethods {
  return {
    async *streamTrace(req, ctx) {
      const hop = hopOf(ctx);
      const queue: TraceBatch[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = hub.subscribe(
        hop.session,
        (batch) => {
          queue.push(batch);
          wake?.();
        },
        { replay: req.replay, afterSeq: req.afterSeq, light: req.light, encoded: isBinary(ctx) },
      );
      const onAbort = () => wake?.();
      ctx.signal.addEventListener("abort", onAbort);
      try {
        while (!ctx.signal.aborted) {
          const batch = queue.shift();
          if (batch) {
            yield batch.encoded ? encodedResponse(batch) : { events: batch.events, dropped: BigInt(batch.dropped) };
            continue;
          }
          const idle = await new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(true), STREAM_HEARTBEAT_MS);
            wake = () => {
              clearTimeout(t);
              resolve(false);
            };
          });
          wake = undefined;
          if (idle && !ctx.signal.aborted) yield { events: [], dropped: 0n };
        }
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
        unsubscribe();
      }
    },

    getEvents(req, ctx) {
      if (req.seqs.length > MAX_GET_EVENTS) {
        throw new ConnectError(`GetEvents takes at most ${MAX_GET_EVENTS} seqs per call, got ${req.seqs.length}; ask in chunks`, Code.InvalidArgument);
      }
      return { events: hub.get(hopOf(ctx).session, req.seqs) };
    },
  };
}

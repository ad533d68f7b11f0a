/**
 * Wirelab's wire inspector library: explains the exact bytes of a message.
 *
 * Pure TypeScript on Uint8Array (no Node APIs), for the browser and the
 * server alike. Decoders never throw on malformed input; they return what
 * they decoded plus an `error` with the offset and the reason.
 *
 * - {@link decodeProtobuf}: protobuf binary, field by field, with or without a schema
 *   (protobuf.dev/programming-guides/encoding)
 * - {@link splitEnvelopes}: gRPC / gRPC-web / Connect streaming length-prefixed frames
 *   (grpc PROTOCOL-HTTP2.md, PROTOCOL-WEB.md, connectrpc.com/docs/protocol)
 * - {@link decodeMqttPacket}: MQTT 3.1.1 control packets (OASIS MQTT 3.1.1 §2–3)
 * - {@link hexDumpRows} / {@link hexDumpString}: hex dumps with highlights
 * - {@link byteBreakdown}: header / body / framing shares of a trace event
 * - {@link inspectTraceEvent}: all of the above for one `lab.v1.TraceEvent`
 */

export type { ByteRange, WireError } from "./types";

export {
  decodeProtobuf,
  flattenProtoFields,
  readVarint,
  zigzagDecode,
  zigzagEncode,
  MAX_FIELD_NUMBER,
  WIRE_TYPE_NAMES,
} from "./protobuf-wire";
export type {
  BytesValue,
  DecodeProtobufOptions,
  FlatProtoField,
  I32Value,
  I64Value,
  MessageValue,
  PackedElement,
  PackedValue,
  ProtoField,
  ProtoFieldSchema,
  ProtoMessage,
  ProtoValue,
  StringValue,
  TypedValue,
  VarintValue,
  WireType,
  WireTypeName,
} from "./protobuf-wire";

export {
  bodyFormatForContentType,
  encodeEnvelope,
  parseConnectEndStream,
  parseGrpcWebTrailers,
  splitEnvelopes,
  ENVELOPE_PREFIX_BYTES,
  GRPC_STATUS_NAMES,
} from "./envelope";
export type {
  BodyFormat,
  ConnectEndStream,
  ConnectErrorJson,
  EnvelopeFrame,
  EnvelopeProtocol,
  EnvelopeSplit,
  FrameKind,
  GrpcWebTrailers,
  SplitEnvelopesOptions,
  TrailerEntry,
} from "./envelope";

export {
  decodeMqttPacket,
  decodeMqttPackets,
  encodeRemainingLength,
  CONNACK_RETURN_CODES,
  MQTT_PACKET_TYPE_NAMES,
  SUBACK_RETURN_CODES,
} from "./mqtt-packet";
export type { DecodeMqttOptions, MqttField, MqttPacket, MqttPacketStream, MqttSection, MqttSubscription } from "./mqtt-packet";

export { hexDumpRows, hexDumpString, highlightsAt } from "./hex-dump";
export type { HexCell, HexDumpOptions, HexHighlight, HexRow } from "./hex-dump";

export { byteBreakdown } from "./byte-breakdown";
export type { ByteBreakdown, ByteCountsLike, ByteSegment, ByteSegmentKey, TraceEventBytesLike } from "./byte-breakdown";

export { envelopeHighlights, mqttHighlights, mqttRedactions, protoHighlights } from "./highlights";

export { inspectPayload, inspectTraceEvent, resolveLabMessage } from "./inspect";
export type { InspectedPayload, InspectOptions, PayloadHints, PayloadView, TraceEventWireLike, WireInspection } from "./inspect";

export { decodeUtf8Strict, fromHex, printableRatio, toHex } from "./text";

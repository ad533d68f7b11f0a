/**
 * Turns decoded structures into hex-dump highlights, so the inspector can
 * colour the bytes of each field, frame prefix or packet field.
 *
 * Tones (a hint for the renderer's palette):
 * - protobuf: "tag", "length", "value", "message" (an embedded message's payload)
 * - envelope: "framing", "message", "trailers", "end-stream"
 * - MQTT: "fixed-header", "variable-header", "payload"
 */

import type { EnvelopeSplit } from "./envelope";
import type { HexHighlight } from "./hex-dump";
import type { MqttPacket } from "./mqtt-packet";
import { flattenProtoFields, type ProtoMessage } from "./protobuf-wire";
import type { ByteRange } from "./types";

/**
 * Highlights for every field of a decoded protobuf message, nested ones
 * included: tag, length prefix (LEN) and value of each. Ids are
 * `${prefix}${path}#tag|#len|#value`, the path joining field names (or
 * numbers) with ".".
 */
export function protoHighlights(message: ProtoMessage, prefix = ""): HexHighlight[] {
  const out: HexHighlight[] = [];
  for (const { field, path } of flattenProtoFields(message)) {
    const id = prefix + path.join(".");
    const name = field.schema ? `${field.schema.name} (field ${field.fieldNumber})` : `field ${field.fieldNumber}`;
    out.push({ id: `${id}#tag`, ...field.tag, tone: "tag", label: `${name}: tag, wire type ${field.wireType} ${field.wireTypeName}` });
    if (field.lengthPrefix) {
      out.push({ id: `${id}#len`, ...field.lengthPrefix, tone: "length", label: `${name}: length ${field.value.length}` });
    }
    if (field.value.length > 0) {
      out.push({
        id: `${id}#value`,
        ...field.value,
        tone: field.decoded.kind === "message" ? "message" : "value",
        label: `${name}: ${field.display}`,
      });
    }
  }
  return out;
}

/** Highlights for each frame of an envelope split: its 5-byte prefix and its payload. Ids are `frame-${index}-prefix|-payload`. */
export function envelopeHighlights(split: EnvelopeSplit): HexHighlight[] {
  const out: HexHighlight[] = [];
  for (const f of split.frames) {
    const flags = f.flagNames.length ? f.flagNames.join(", ") : "no flags";
    out.push({
      id: `frame-${f.index}-prefix`,
      ...f.prefix,
      tone: "framing",
      label: `frame ${f.index} prefix: flags 0x${f.flags.toString(16).padStart(2, "0")} (${flags}), length ${f.declaredLength}`,
    });
    if (f.payload.length > 0) {
      out.push({
        id: `frame-${f.index}-payload`,
        ...f.payload,
        tone: f.kind,
        label: `frame ${f.index} ${f.kind}: ${f.actualLength} bytes${f.truncated ? ` of ${f.declaredLength} (truncated)` : ""}`,
      });
    }
  }
  return out;
}

/**
 * Highlights for each field of an MQTT packet, toned by section. Flags that
 * share a byte all get one highlight of that byte. Ids are
 * `mqtt-${packet.offset}-${index}`.
 */
export function mqttHighlights(packet: MqttPacket): HexHighlight[] {
  const out: HexHighlight[] = [];
  for (const f of packet.fields) {
    if (f.length === 0) continue;
    const label = `${f.name}${f.bits ? ` (bits ${f.bits})` : ""}: ${f.display}`;
    const last = out[out.length - 1];
    if (last && last.offset === f.offset && last.length === f.length) {
      last.label = `${last.label}; ${label}`;
      continue;
    }
    out.push({ id: `mqtt-${packet.offset}-${out.length}`, offset: f.offset, length: f.length, tone: f.section, label });
  }
  return out;
}

/** Byte ranges an MQTT packet wants hidden: the value of a CONNECT password (not its 2-byte length). */
export function mqttRedactions(packet: MqttPacket): ByteRange[] {
  return packet.fields
    .filter((f) => f.sensitive)
    .map((f) => {
      const prefix = f.lengthPrefixBytes ?? 0;
      return { offset: f.offset + prefix, length: Math.max(0, f.length - prefix) };
    })
    .filter((r) => r.length > 0);
}

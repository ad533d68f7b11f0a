"use client";

import { createContext, Fragment, useContext, type ReactNode } from "react";
import {
  flattenProtoFields,
  type EnvelopeFrame,
  type InspectedPayload,
  type MqttField,
  type MqttPacket,
  type PayloadView,
  type ProtoMessage,
  type WireError,
  type WireInspection,
} from "@/lib/wire";
import { frameKey, hex2, hexOffset, mqttKey, payloadPrefix, prettyJson, protoKey, trailerKey } from "./model";
import { useInspectorText, type InspectorTextKey } from "./inspector-text";
import styles from "./inspector.module.css";

/** Which decoded row is active (hovered or focused), shared with the hex dump. */
export interface LinkState {
  activeKey: string | null;
  activate: (key: string | null) => void;
}

export const LinkContext = createContext<LinkState>({ activeKey: null, activate: () => {} });

/** Props that make a table row a link to its bytes: hover or focus highlights them. */
function useLinkRow(key: string, base?: string) {
  const { activeKey, activate } = useContext(LinkContext);
  const active = activeKey === key;
  return {
    className: [base, styles.linkRow, active ? styles.rowActive : undefined].filter(Boolean).join(" "),
    tabIndex: 0,
    "data-link": key,
    onMouseEnter: () => activate(key),
    onMouseLeave: () => activate(null),
    onFocus: () => activate(key),
    onBlur: () => activate(null),
  };
}

export function DecodeError({ error, what = "decoding" }: { error: WireError; what?: InspectorTextKey }) {
  const t = useInspectorText();
  return (
    <p className={styles.error} role="note">
      <strong>{t("decodeStopped", { what: t(what), n: error.offset, offset: hexOffset(error.offset) })}</strong> <span lang="en">{error.reason}</span>
    </p>
  );
}

/** The decoded view of the whole capture, by layout. */
export function DecodedBody({ inspection }: { inspection: WireInspection }) {
  const t = useInspectorText();
  switch (inspection.layout) {
    case "empty":
      return <p className={styles.muted}>{t("noBytesEvent")}</p>;
    case "mqtt":
      return <MqttView inspection={inspection} />;
    case "envelope":
      return <EnvelopeView inspection={inspection} />;
    case "bare":
    default:
      return (
        <>
          {inspection.payloads.map((p, i) => (
            <PayloadBlock key={i} payload={p} prefix={payloadPrefix(p.frameIndex, inspection.layout)} />
          ))}
        </>
      );
  }
}

// ---------------------------------------------------------------------------
// Payloads: protobuf, JSON, text

function PayloadBlock({ payload, prefix, title }: { payload: InspectedPayload; prefix: string; title?: ReactNode }) {
  return (
    <div className={styles.block}>
      {title ? <h4 className={styles.subheading}>{title}</h4> : null}
      <PayloadViewBlock view={payload.view} prefix={prefix} range={payload.range} />
    </div>
  );
}

function PayloadViewBlock({ view, prefix, range }: { view: PayloadView; prefix: string; range: { offset: number; length: number } }) {
  const t = useInspectorText();
  switch (view.kind) {
    case "empty":
      return <p className={styles.muted}>{t("emptyMessage")}</p>;
    case "compressed":
      return <p className={styles.muted}>{t("compressed")}</p>;
    case "text":
      return (
        <>
          <p className={styles.caption}>{t("textBytes", { n: range.length })}</p>
          <pre className={styles.pre}>{view.text}</pre>
        </>
      );
    case "json":
      return (
        <>
          <p className={styles.caption}>{t("jsonBytes", { n: range.length })}</p>
          {view.error ? <p className={styles.error}>{t("badJson", { error: view.error })}</p> : null}
          <pre className={styles.pre}>{view.error ? view.text : prettyJson(view.value, view.text)}</pre>
        </>
      );
    case "protobuf":
      return <ProtoTable message={view.message} typeName={view.typeName} prefix={prefix} />;
    default:
      return null;
  }
}

/** Protobuf fields, depth-first, nesting by indentation. */
export function ProtoTable({ message, typeName, prefix }: { message: ProtoMessage; typeName?: string; prefix: string }) {
  const rows = flattenProtoFields(message);
  const t = useInspectorText();
  return (
    <>
      <p className={styles.caption}>
        Protobuf{typeName ? <> · <code>{typeName}</code></> : t("noSchema")}
        {t("bytesAt", { n: message.length, offset: hexOffset(message.offset) })}
      </p>
      {rows.length > 0 ? (
        <table className={`${styles.table} ${styles.protoTable}`}>
          <thead>
            <tr>
              <th scope="col" title={t("fieldNumber")}>#</th>
              <th scope="col">{t("wireType")}</th>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("value")}</th>
              <th scope="col" title={t("offsetTitle")}>
                {t("offset")}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ field, depth }) => (
              <ProtoRow key={protoKey(prefix, field)} rowKey={protoKey(prefix, field)} field={field} depth={depth} />
            ))}
          </tbody>
        </table>
      ) : (
        <p className={styles.muted}>{t("noFields")}</p>
      )}
      {message.error ? <DecodeError error={message.error} what="protobufDecoding" /> : null}
    </>
  );
}

function ProtoRow({ rowKey, field, depth }: { rowKey: string; field: ReturnType<typeof flattenProtoFields>[number]["field"]; depth: number }) {
  const link = useLinkRow(rowKey);
  const t = useInspectorText();
  return (
    <tr {...link}>
      <td className={styles.num}>{field.fieldNumber}</td>
      <td>
        <span className={styles.nowrap}>
          <span className={styles.mono}>{field.wireType}</span> {field.wireTypeName}
        </span>
      </td>
      <td style={{ paddingLeft: `${4 + depth * 14}px` }}>
        {depth > 0 ? <span className={styles.indent} aria-hidden="true">↳ </span> : null}
        {field.schema ? <span className={styles.fieldName}>{field.schema.name}</span> : <span className={styles.muted}>{field.unknown ? t("unknown") : "—"}</span>}
        {field.schema ? <span className={styles.fieldType}> {field.schema.type}</span> : null}
        {depth > 0 ? <span className={styles.srOnly}>{t("nested", { n: depth })}</span> : null}
      </td>
      <td className={styles.value}>
        <span className={styles.mono}>{field.display}</span>
        {field.typed?.enumName ? <span className={styles.fieldType}> {field.typed.enumName}</span> : null}
        {field.note ? <span className={styles.fieldNote}>{field.note}</span> : null}
      </td>
      <td className={styles.mono} title={t("byteRange", { from: field.offset, to: field.offset + field.length - 1 })}>
        {hexOffset(field.offset)}
        <span className={styles.byteLen}>{field.length} B</span>
      </td>
    </tr>
  );
}

// ---------------------------------------------------------------------------
// Envelopes: gRPC, gRPC-web, Connect streaming

const PROTOCOL_LABEL = { grpc: "gRPC", "grpc-web": "gRPC-web", connect: "Connect streaming" } as const;

function EnvelopeView({ inspection }: { inspection: WireInspection }) {
  const split = inspection.envelope;
  const t = useInspectorText();
  if (!split) return null;
  return (
    <>
      <p className={styles.caption}>
        {t("envelope", {
          protocol: PROTOCOL_LABEL[split.protocol] ?? split.protocol,
          frames: split.frames.length === 1 ? t("frameOne") : t("frames", { n: split.frames.length }),
          framing: split.framingBytes,
          payload: split.payloadBytes,
        })}
      </p>
      <table className={`${styles.table} ${styles.frameTable}`}>
        <thead>
          <tr>
            <th scope="col">{t("frame")}</th>
            <th scope="col">{t("flags")}</th>
            <th scope="col" title={t("lengthTitle")}>
              {t("length")}
            </th>
            <th scope="col">{t("kind")}</th>
          </tr>
        </thead>
        <tbody>
          {split.frames.map((f) => (
            <FrameRow key={f.index} frame={f} />
          ))}
        </tbody>
      </table>
      {split.error ? <DecodeError error={split.error} what="framingDecoding" /> : null}
      {split.frames.map((f) => (
        <FrameContent key={f.index} frame={f} inspection={inspection} />
      ))}
    </>
  );
}

function FrameRow({ frame: f }: { frame: EnvelopeFrame }) {
  const link = useLinkRow(frameKey(f.index));
  const t = useInspectorText();
  return (
    <tr {...link}>
      <td className={styles.num}>
        {f.index} <span className={styles.fieldType}>@{hexOffset(f.offset)}</span>
      </td>
      <td>
        <span className={styles.mono}>0x{hex2(f.flags)}</span> <span className={styles.fieldType}>{f.flagNames.length ? f.flagNames.join(", ") : t("none")}</span>
      </td>
      <td className={styles.mono}>
        {f.declaredLength}
        {f.truncated ? <span className={styles.fieldNote}>{t("onlyPresent", { n: f.actualLength })}</span> : null}
      </td>
      <td>
        {f.kind}
        {f.note ? <span className={styles.fieldNote}>{f.note}</span> : null}
      </td>
    </tr>
  );
}

function FrameContent({ frame: f, inspection }: { frame: EnvelopeFrame; inspection: WireInspection }) {
  const t = useInspectorText();
  const title = t("frameTitle", { n: f.index, kind: f.kind });
  if (f.kind === "message") {
    const payload = inspection.payloads.find((p) => p.frameIndex === f.index);
    if (!payload) return null;
    return <PayloadBlock payload={payload} prefix={payloadPrefix(f.index, inspection.layout)} title={title} />;
  }
  if (f.trailers) {
    const tr = f.trailers;
    return (
      <div className={styles.block}>
        <h4 className={styles.subheading}>{title}</h4>
        <p className={styles.caption}>
          {t("grpcWebBodyTrailers")}
          {tr.grpcStatus !== undefined ? (
            <>
              {" "}
              · grpc-status <strong>{tr.grpcStatus} {tr.grpcStatusName}</strong>
            </>
          ) : null}
          {tr.grpcMessage ? <> · {tr.grpcMessage}</> : null}
        </p>
        {tr.entries.length > 0 ? (
          <table className={`${styles.table} ${styles.kvTable}`}>
            <thead>
              <tr>
                <th scope="col">{t("name")}</th>
                <th scope="col">{t("value")}</th>
              </tr>
            </thead>
            <tbody>
              {tr.entries.map((e) => (
                <TrailerRow key={e.offset} name={e.name} value={e.value} offset={e.offset} />
              ))}
            </tbody>
          </table>
        ) : null}
        {tr.error ? <DecodeError error={tr.error} what="trailerParsing" /> : null}
      </div>
    );
  }
  if (f.endStream) {
    const s = f.endStream;
    return (
      <div className={styles.block}>
        <h4 className={styles.subheading}>{title}</h4>
        {s.error ? (
          <p className={styles.caption}>
            {t("error")} <strong>{s.error.code}</strong>
            {s.error.message ? <>: {s.error.message}</> : null}
          </p>
        ) : (
          <p className={styles.caption}>{t("streamOk")}</p>
        )}
        {s.metadata && Object.keys(s.metadata).length > 0 ? (
          <table className={`${styles.table} ${styles.kvTable}`}>
            <thead>
              <tr>
                <th scope="col">{t("metadata")}</th>
                <th scope="col">{t("values")}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(s.metadata).map(([k, v]) => (
                <tr key={k}>
                  <td className={styles.mono}>{k}</td>
                  <td className={styles.value}>{v.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {s.parseError ? <p className={styles.error}>{t("endStreamJson", { error: s.parseError })}</p> : null}
        <pre className={styles.pre}>{s.text}</pre>
      </div>
    );
  }
  return (
    <div className={styles.block}>
      <h4 className={styles.subheading}>{title}</h4>
      <p className={styles.muted}>{f.note ?? t("notDecoded")}</p>
    </div>
  );
}

function TrailerRow({ name, value, offset }: { name: string; value: string; offset: number }) {
  const link = useLinkRow(trailerKey(offset));
  return (
    <tr {...link}>
      <td className={styles.mono}>{name}</td>
      <td className={`${styles.mono} ${styles.value}`}>{value}</td>
    </tr>
  );
}

// ---------------------------------------------------------------------------
// MQTT

const SECTION_LABEL: Record<string, InspectorTextKey> = {
  "fixed-header": "fixedHeader",
  "variable-header": "variableHeader",
  payload: "payload",
};

function MqttView({ inspection }: { inspection: WireInspection }) {
  const stream = inspection.mqtt;
  const t = useInspectorText();
  if (!stream) return null;
  return (
    <>
      {stream.packets.length > 1 ? <p className={styles.caption}>{t("packetsInCapture", { n: stream.packets.length })}</p> : null}
      {stream.packets.map((p) => {
        const end = p.offset + Math.max(p.totalBytes, 1);
        const payload = p.type === 3 ? inspection.payloads.find((x) => x.range.offset >= p.offset && x.range.offset < end) : undefined;
        return (
          <div key={p.offset} className={styles.block}>
            <MqttPacketView packet={p} />
            {payload ? <PayloadBlock payload={payload} prefix={payloadPrefix(undefined, "mqtt")} title={t("payloadOf", { type: p.typeName })} /> : null}
          </div>
        );
      })}
      {stream.error && !stream.packets.some((p) => p.error) ? <DecodeError error={stream.error} what="mqttDecoding" /> : null}
    </>
  );
}

function MqttPacketView({ packet: p }: { packet: MqttPacket }) {
  const t = useInspectorText();
  const rest = p.summary.startsWith(p.typeName) ? p.summary.slice(p.typeName.length).trim() : p.summary;
  return (
    <>
      <h4 className={styles.subheading}>
        <span className={styles.packetType}>{p.typeName}</span> {rest ? <span className={styles.fieldType}>{rest}</span> : null}
      </h4>
      <p className={styles.caption}>
        {p.totalBytes > 0 ? t("packetBytes", { total: p.totalBytes, fixed: p.fixedHeaderBytes, variable: p.variableHeaderBytes, payload: p.payloadBytes }) : t("incompletePacket")}
        {p.qos !== undefined ? <> · QoS {p.qos}</> : null}
        {p.dup ? <> · DUP</> : null}
        {p.retain ? <> · RETAIN</> : null}
        {p.packetId !== undefined ? t("packetId", { id: p.packetId }) : null}
      </p>
      <table className={`${styles.table} ${styles.mqttTable}`}>
        <thead>
          <tr>
            <th scope="col">{t("field")}</th>
            <th scope="col">{t("value")}</th>
            <th scope="col" title={t("bytesTitle")}>
              {t("bytes")}
            </th>
            <th scope="col">{t("spec")}</th>
          </tr>
        </thead>
        <tbody>
          {p.fields.map((f, i) => {
            const header =
              i === 0 || p.fields[i - 1].section !== f.section ? (
                <tr className={styles.sectionRow}>
                  <th scope="colgroup" colSpan={4}>
                    {SECTION_LABEL[f.section] ? t(SECTION_LABEL[f.section]) : f.section}
                  </th>
                </tr>
              ) : null;
            return (
              <Fragment key={i}>
                {header}
                <MqttFieldRow field={f} rowKey={mqttKey(p.offset, i)} />
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {p.warnings.length > 0 ? (
        <ul className={styles.notes}>
          {p.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      ) : null}
      {p.error ? <DecodeError error={p.error} what="mqttDecoding" /> : null}
    </>
  );
}

function MqttFieldRow({ field: f, rowKey }: { field: MqttField; rowKey: string }) {
  const link = useLinkRow(rowKey);
  const t = useInspectorText();
  return (
    <tr {...link}>
      <td>
        {f.name}
        {f.bits ? <span className={styles.fieldType}>{t("bits", { bits: f.bits })}</span> : null}
      </td>
      <td className={styles.value}>
        <span className={styles.mono}>{f.sensitive ? t("hidden") : f.display}</span>
        {f.note ? <span className={styles.fieldNote}>{f.note}</span> : null}
      </td>
      <td className={styles.mono}>
        {hexOffset(f.offset)}
        <span className={styles.byteLen}>{f.length} B</span>
      </td>
      <td className={styles.fieldType}>{f.spec ?? ""}</td>
    </tr>
  );
}

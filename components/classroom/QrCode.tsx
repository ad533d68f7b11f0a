import { encode } from "uqr";

/**
 * A QR code of `text` as an SVG of one path (ISO/IEC 18004 via uqr), with
 * a quiet zone of 4 modules as the standard asks, so phones read it off a
 * projector.
 */
export function QrCode({ text, size = 200, label }: { text: string; size?: number; label: string }) {
  const qr = encode(text, { ecc: "M", border: 4 });
  let d = "";
  qr.data.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${qr.size} ${qr.size}`} shapeRendering="crispEdges" data-testid="qr-code">
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path d={d} fill="#111827" />
    </svg>
  );
}

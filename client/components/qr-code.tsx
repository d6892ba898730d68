import { useMemo } from 'react';
import { encode } from 'uqr';

/** A QR code drawn as SVG in the page: the secret never leaves the browser for an image service. */
export function QrCode({ value, label, size = 192 }: { value: string; label: string; size?: number }) {
  const { path, modules } = useMemo(() => {
    const { data } = encode(value, { ecc: 'M', border: 2 });
    const commands: string[] = [];
    data.forEach((row, y) => row.forEach((dark, x) => dark && commands.push(`M${x} ${y}h1v1h-1z`)));
    return { path: commands.join(''), modules: data.length };
  }, [value]);
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      width={size}
      height={size}
      viewBox={`0 0 ${modules} ${modules}`}
      shapeRendering="crispEdges"
    >
      <rect width={modules} height={modules} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}

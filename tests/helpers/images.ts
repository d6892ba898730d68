import zlib from 'node:zlib';
import sharp from 'sharp';

export type Colour = { r: number; g: number; b: number };

export const RED: Colour = { r: 220, g: 30, b: 30 };
export const GREEN: Colour = { r: 30, g: 200, b: 60 };
export const BLUE: Colour = { r: 30, g: 60, b: 220 };

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';

/** A plain image of one colour, encoded by sharp in the given format. */
export function solidImage(format: ImageFormat, width = 64, height = 64, background: Colour = RED): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .toFormat(format)
    .toBuffer();
}

/** Three vertical bands, left to right: red, green, blue (each a third of the width). */
export async function bandedImage(width: number, height: number): Promise<Buffer> {
  const third = Math.round(width / 3);
  const band = (colour: Colour, bandWidth: number) =>
    sharp({ create: { width: bandWidth, height, channels: 3, background: colour } })
      .png()
      .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: GREEN } })
    .composite([
      { input: await band(RED, third), left: 0, top: 0 },
      { input: await band(BLUE, width - 2 * third), left: 2 * third, top: 0 },
    ])
    .png()
    .toBuffer();
}

/** The colour of one pixel of any image sharp can read. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<Colour> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return { r: data[at]!, g: data[at + 1]!, b: data[at + 2]! };
}

/** True when two colours are within `tolerance` on every channel (lossy codecs move them a little). */
export function near(a: Colour, b: Colour, tolerance = 40): boolean {
  return Math.abs(a.r - b.r) <= tolerance && Math.abs(a.g - b.g) <= tolerance && Math.abs(a.b - b.b) <= tolerance;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A PNG of a few hundred bytes whose header declares `width` x `height` 8-bit grayscale pixels:
 * a valid signature and IHDR, then a tiny IDAT that holds only the first rows, then IEND.
 * Decoding it in full would need width x height bytes of memory.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // no interlace
  const firstRows = zlib.deflateSync(Buffer.alloc((width + 1) * 2), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', firstRows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

import type { Metadata } from 'sharp';
import { AVATAR_MAX_PIXELS, AVATAR_SIZE_PX, UPLOAD_BODY_LIMIT_BYTES } from '#shared/constants.ts';
import { AppError } from '#server/lib/app-error.ts';

// What sharp's header probe calls the formats API.md §5 accepts; AVIF is HEIF with AV1 inside.
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);

const invalidImage = () => new AppError('INVALID_IMAGE', 'Choose a JPEG, PNG, WebP, GIF or AVIF image.');
const tooLarge = (message: string) => new AppError('IMAGE_TOO_LARGE', message);

/**
 * Turns an uploaded image into the stored avatar: a 512 px square WebP with no metadata at all.
 * The size, format and pixel count are checked from the header before anything is decoded, so a
 * small file declaring a huge canvas costs nothing.
 */
export async function toAvatarWebp(input: Buffer): Promise<Buffer> {
  if (input.length > UPLOAD_BODY_LIMIT_BYTES) throw tooLarge('Choose an image of at most 5 MB.');
  // Loaded on the first upload: libvips costs the server ~11 MB from then on (docs/benchmarks.md).
  const { default: sharp } = await import('sharp');
  let header: Metadata;
  try {
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw invalidImage();
  }
  if (!header.format || !ACCEPTED_FORMATS.has(header.format)) throw invalidImage();
  if (header.format === 'heif' && header.compression !== 'av1') throw invalidImage();
  if (!header.width || !header.height) throw invalidImage();
  if (header.width * header.height > AVATAR_MAX_PIXELS) throw tooLarge('Choose an image of at most 40 megapixels.');
  try {
    // failOn 'warning' (the default, kept explicit): a truncated or corrupt file is refused, not patched.
    return await sharp(input, { limitInputPixels: AVATAR_MAX_PIXELS, failOn: 'warning' })
      .rotate() // apply the EXIF orientation before every piece of metadata is dropped
      .resize(AVATAR_SIZE_PX, AVATAR_SIZE_PX, { fit: 'cover', position: 'centre' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    throw invalidImage();
  }
}

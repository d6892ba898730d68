import { randomBytes } from 'node:crypto';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';

/** Opaque, random, URL-safe id (128 bits). */
export function newId(): string {
  return encodeBase64urlNoPadding(randomBytes(16));
}

/** A secret for a link or a JWT id (256 bits). */
export function newSecret(): string {
  return encodeBase64urlNoPadding(randomBytes(32));
}

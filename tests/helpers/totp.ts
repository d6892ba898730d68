import { createHmac } from 'node:crypto';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';

// An authenticator app, written from RFC 4226 §5.3 and RFC 6238 §4 with node:crypto only, so the
// tests never share code with server/modules/mfa/totp.ts and can catch its mistakes.

export const PERIOD_SECONDS = 30;

/** The key bytes of a base32 secret as an authenticator app reads it (case and padding do not matter). */
export function secretBytes(base32: string): Uint8Array {
  return decodeBase32IgnorePadding(base32.toUpperCase());
}

/** RFC 4226 HOTP with HMAC-SHA-1 and dynamic truncation. */
export function hotp(key: Uint8Array, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step of an instant. */
export function stepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / PERIOD_SECONDS);
}

/** The 6-digit code an authenticator app shows at `at` for a base32 secret, `drift` steps off. */
export function totpAt(base32: string, at: Date, drift = 0): string {
  return hotp(secretBytes(base32), stepAt(at) + drift);
}

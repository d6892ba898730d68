import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a high-entropy secret, as stored: enough for 256-bit random tokens, no salt needed. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

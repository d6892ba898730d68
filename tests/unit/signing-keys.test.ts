import { describe, expect, test } from 'vitest';
import { REFRESH_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import { retiredSigningKeys } from '#server/modules/keys/signing-keys.ts';

const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.UTC(2026, 0, 1) + days * DAY);

describe('retiredSigningKeys', () => {
  test('retiredSigningKeys keeps a key until a refresh token lifetime after its successor began to sign', () => {
    const keys = [
      { kid: 'old', activatesAt: at(0) },
      { kid: 'middle', activatesAt: at(10) },
      { kid: 'new', activatesAt: at(20) },
    ];
    const lifetimeDays = REFRESH_TOKEN_TTL_SECONDS / (24 * 60 * 60);
    expect(retiredSigningKeys(keys, at(10 + lifetimeDays - 1))).toEqual([]);
    expect(retiredSigningKeys(keys, at(10 + lifetimeDays + 1))).toEqual(['old']);
    expect(retiredSigningKeys(keys, at(20 + lifetimeDays + 1))).toEqual(['old', 'middle']);
  });

  test('retiredSigningKeys never retires the newest key, however old', () => {
    expect(retiredSigningKeys([{ kid: 'only', activatesAt: at(0) }], at(1000))).toEqual([]);
  });
});

import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * Storage for one test OpenID Provider (oidc-provider's adapter interface), in memory.
 *
 * Not the library's own memory adapter, for three reasons: that one is shared by every provider in
 * the process and evicts past 1,000 entries (a long test file would lose sessions and codes); it
 * prints a "development-only" warning per provider; and through this one a test can register a
 * client after the provider started (`putClient`), which it must, because Latchkey's port, and so
 * the client's redirect_uri, is known only once Latchkey runs, and Latchkey needs the issuer first.
 */
export type ProviderStore = {
  /** The `adapter` setting of oidc-provider's configuration. */
  adapter: (model: string) => Adapter;
  /** Registers or replaces a client (its metadata as in `clients`); the provider validates it on first use. */
  putClient(metadata: AdapterPayload & { client_id: string }): void;
};

// oidc-provider's default clockTolerance, so a record lives as long as the library expects.
const CLOCK_TOLERANCE_MS = 15 * 1000; // 15 seconds

// The models that revoking a grant revokes (as the library's adapter): not the Grant, Session or Interaction.
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export function createProviderStore(): ProviderStore {
  const records = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const keyOf = (model: string, id: string) => `${model}:${id}`;
  const live = (key: string) => {
    const record = records.get(key);
    if (record && record.expiresAt <= Date.now()) records.delete(key);
    return records.get(key);
  };
  const findWhere = (model: string, match: (payload: AdapterPayload) => boolean) => {
    for (const key of records.keys()) {
      const record = key.startsWith(`${model}:`) ? live(key) : undefined;
      if (record && match(record.payload)) return record.payload;
    }
    return undefined;
  };

  const adapter = (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 + CLOCK_TOLERANCE_MS;
      records.set(keyOf(model, id), { payload, expiresAt });
    },
    async find(id) {
      return live(keyOf(model, id))?.payload;
    },
    async findByUid(uid) {
      return findWhere(model, (payload) => payload.uid === uid);
    },
    async findByUserCode(userCode) {
      return findWhere(model, (payload) => payload.userCode === userCode);
    },
    async consume(id) {
      const record = live(keyOf(model, id));
      if (record) record.payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      records.delete(keyOf(model, id));
    },
    async revokeByGrantId(grantId) {
      for (const [key, record] of records) {
        if (GRANTABLE.has(key.slice(0, key.indexOf(':'))) && record.payload.grantId === grantId) records.delete(key);
      }
    },
  });

  return {
    adapter,
    putClient(metadata) {
      records.set(keyOf('Client', metadata.client_id), { payload: { ...metadata }, expiresAt: Infinity });
    },
  };
}

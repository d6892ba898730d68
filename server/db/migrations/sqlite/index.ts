import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121183608_init } from './migration-20261121183608-init.ts';
import { Migration20261121185138_flyersRateLimits } from './migration-20261121185138-flyers-rate-limits.ts';
import { Migration20261121190414_accountSecurity } from './migration-20261121190414-accountSecurity.ts';
import { Migration20261121191445_adminInvitations } from './migration-20261121191445-adminInvitations.ts';
import { Migration20261202193407_rateLimitHitAt } from './migration-20261202193407-rateLimitHitAt.ts';
import { Migration20261202195933_keysInDatabase } from './migration-20261202195933-keysInDatabase.ts';
import { Migration20261202220930_avatarsAndTaskLeases } from './migration-20261202220930-avatarsAndTaskLeases.ts';
import { Migration20261203060533_providerIdentities } from './migration-20261203060533-providerIdentities.ts';
import { Migration20261203064912_passkeys } from './migration-20261203064912-passkeys.ts';
import { Migration20261203111432_organizations } from './migration-20261203111432-organizations.ts';
import { Migration20261204180239_securityEventIndexes } from './migration-20261204180239-securityEventIndexes.ts';
import { Migration20261204201756_sso } from './migration-20261204201756-sso.ts';

// Listed explicitly so migrations load the same way under tsx, vitest and a bundler.
// `npm run db:migration -- <name>` writes a new file here for each dialect; add it to this list in order.
export const SQLITE_MIGRATIONS: MigrationObject[] = [
  { name: 'migration-20261121183608-init', class: Migration20261121183608_init },
  { name: 'migration-20261121185138-flyers-rate-limits', class: Migration20261121185138_flyersRateLimits },
  { name: 'migration-20261121190414-accountSecurity', class: Migration20261121190414_accountSecurity },
  { name: 'migration-20261121191445-adminInvitations', class: Migration20261121191445_adminInvitations },
  { name: 'migration-20261202193407-rateLimitHitAt', class: Migration20261202193407_rateLimitHitAt },
  { name: 'migration-20261202195933-keysInDatabase', class: Migration20261202195933_keysInDatabase },
  { name: 'migration-20261202220930-avatarsAndTaskLeases', class: Migration20261202220930_avatarsAndTaskLeases },
  { name: 'migration-20261203060533-providerIdentities', class: Migration20261203060533_providerIdentities },
  { name: 'migration-20261203064912-passkeys', class: Migration20261203064912_passkeys },
  { name: 'migration-20261203111432-organizations', class: Migration20261203111432_organizations },
  { name: 'migration-20261204180239-securityEventIndexes', class: Migration20261204180239_securityEventIndexes },
  { name: 'migration-20261204201756-sso', class: Migration20261204201756_sso },
];

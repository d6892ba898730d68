import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261202193407_init } from './migration-20261202193407-init.ts';
import { Migration20261202195933_keysInDatabase } from './migration-20261202195933-keysInDatabase.ts';
import { Migration20261202220931_avatarsAndTaskLeases } from './migration-20261202220931-avatarsAndTaskLeases.ts';
import { Migration20261203060533_providerIdentities } from './migration-20261203060533-providerIdentities.ts';
import { Migration20261203064912_passkeys } from './migration-20261203064912-passkeys.ts';
import { Migration20261203111433_organizations } from './migration-20261203111433-organizations.ts';
import { Migration20261204180240_securityEventIndexes } from './migration-20261204180240-securityEventIndexes.ts';
import { Migration20261204201756_sso } from './migration-20261204201756-sso.ts';

// Listed explicitly so migrations load the same way under tsx, vitest and a bundler.
// `npm run db:migration -- <name>` writes a new file here for each dialect; add it to this list in order.
export const POSTGRESQL_MIGRATIONS: MigrationObject[] = [
  { name: 'migration-20261202193407-init', class: Migration20261202193407_init },
  { name: 'migration-20261202195933-keysInDatabase', class: Migration20261202195933_keysInDatabase },
  { name: 'migration-20261202220931-avatarsAndTaskLeases', class: Migration20261202220931_avatarsAndTaskLeases },
  { name: 'migration-20261203060533-providerIdentities', class: Migration20261203060533_providerIdentities },
  { name: 'migration-20261203064912-passkeys', class: Migration20261203064912_passkeys },
  { name: 'migration-20261203111433-organizations', class: Migration20261203111433_organizations },
  { name: 'migration-20261204180240-securityEventIndexes', class: Migration20261204180240_securityEventIndexes },
  { name: 'migration-20261204201756-sso', class: Migration20261204201756_sso },
];

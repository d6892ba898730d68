import { Migration } from '@mikro-orm/migrations';

export class Migration20261203064912_passkeys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`passkeys\` (\`id\` text not null, \`user_id\` text not null, \`credential_id\` text not null, \`public_key\` text not null, \`counter\` bigint not null default 0, \`transports\` text null, \`device_type\` text not null, \`backed_up\` integer not null default false, \`name\` text not null, \`created_at\` datetime not null, \`last_used_at\` datetime null, constraint \`passkeys_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`passkeys_user_id_index\` on \`passkeys\` (\`user_id\`);`);
    this.addSql(`create unique index \`passkeys_credential_id_unique\` on \`passkeys\` (\`credential_id\`);`);

    this.addSql(`create table \`webauthn_challenges\` (\`id\` text not null, \`challenge\` text not null, \`purpose\` text check (\`purpose\` in ('registration', 'authentication')) not null, \`session_id\` text null, \`expires_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`webauthn_challenges_challenge_unique\` on \`webauthn_challenges\` (\`challenge\`);`);
    this.addSql(`create index \`webauthn_challenges_session_id_index\` on \`webauthn_challenges\` (\`session_id\`);`);
    this.addSql(`create index \`webauthn_challenges_expires_at_index\` on \`webauthn_challenges\` (\`expires_at\`);`);
  }

}

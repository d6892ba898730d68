import { Migration } from '@mikro-orm/migrations';

export class Migration20261203064912_passkeys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "passkeys" ("id" varchar(255) not null, "user_id" varchar(255) not null, "credential_id" varchar(1400) not null, "public_key" text not null, "counter" bigint not null default 0, "transports" varchar(200) null, "device_type" varchar(32) not null, "backed_up" boolean not null default false, "name" varchar(240) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, constraint "passkeys_pkey" primary key ("id"));`);
    this.addSql(`create index "passkeys_user_id_index" on "passkeys" ("user_id");`);
    this.addSql(`alter table "passkeys" add constraint "passkeys_credential_id_unique" unique ("credential_id");`);

    this.addSql(`create table "webauthn_challenges" ("id" varchar(255) not null, "challenge" varchar(128) not null, "purpose" text check ("purpose" in ('registration', 'authentication')) not null, "session_id" varchar(64) null, "expires_at" timestamptz not null, constraint "webauthn_challenges_pkey" primary key ("id"));`);
    this.addSql(`alter table "webauthn_challenges" add constraint "webauthn_challenges_challenge_unique" unique ("challenge");`);
    this.addSql(`create index "webauthn_challenges_session_id_index" on "webauthn_challenges" ("session_id");`);
    this.addSql(`create index "webauthn_challenges_expires_at_index" on "webauthn_challenges" ("expires_at");`);

    this.addSql(`alter table "passkeys" add constraint "passkeys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "passkeys" cascade;`);

    this.addSql(`drop table if exists "webauthn_challenges" cascade;`);
  }

}

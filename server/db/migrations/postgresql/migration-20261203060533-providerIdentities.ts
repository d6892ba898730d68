import { Migration } from '@mikro-orm/migrations';

export class Migration20261203060533_providerIdentities extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "pending_identity_links" ("id" varchar(255) not null, "token_hash" varchar(64) not null, "user_id" varchar(255) not null, "provider" varchar(32) not null, "issuer" varchar(512) not null, "subject" varchar(255) not null, "email" varchar(320) null, "expires_at" timestamptz not null, constraint "pending_identity_links_pkey" primary key ("id"));`);
    this.addSql(`alter table "pending_identity_links" add constraint "pending_identity_links_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "pending_identity_links_user_id_index" on "pending_identity_links" ("user_id");`);

    this.addSql(`create table "oauth_flows" ("id" varchar(255) not null, "state_hash" varchar(64) not null, "browser_hash" varchar(64) not null, "provider" varchar(32) not null, "code_verifier" varchar(128) not null, "nonce" varchar(128) null, "intent" text check ("intent" in ('signin', 'link')) not null, "user_id" varchar(255) null, "return_to" varchar(2048) not null, "expires_at" timestamptz not null, constraint "oauth_flows_pkey" primary key ("id"));`);
    this.addSql(`alter table "oauth_flows" add constraint "oauth_flows_state_hash_unique" unique ("state_hash");`);
    this.addSql(`create index "oauth_flows_expires_at_index" on "oauth_flows" ("expires_at");`);

    this.addSql(`create table "identities" ("id" varchar(255) not null, "user_id" varchar(255) not null, "provider" varchar(32) not null, "issuer" varchar(512) not null, "subject" varchar(255) not null, "email" varchar(320) null, "created_at" timestamptz not null, "last_used_at" timestamptz null, constraint "identities_pkey" primary key ("id"));`);
    this.addSql(`create index "identities_user_id_index" on "identities" ("user_id");`);
    this.addSql(`alter table "identities" add constraint "identities_issuer_subject_unique" unique ("issuer", "subject");`);

    this.addSql(`alter table "pending_identity_links" add constraint "pending_identity_links_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "oauth_flows" add constraint "oauth_flows_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "identities" add constraint "identities_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "one_time_tokens" drop constraint if exists "one_time_tokens_purpose_check";`);

    this.addSql(`alter table "users" alter column "password_hash" type varchar(255) using ("password_hash"::varchar(255));`);
    this.addSql(`alter table "users" alter column "password_hash" drop not null;`);

    this.addSql(`alter table "security_events" add column "provider" varchar(32) null;`);

    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_purpose_check" check("purpose" in ('verify_email', 'reset_password', 'change_email', 'invitation', 'link_ticket'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "pending_identity_links" cascade;`);

    this.addSql(`drop table if exists "oauth_flows" cascade;`);

    this.addSql(`drop table if exists "identities" cascade;`);

    this.addSql(`alter table "one_time_tokens" drop constraint if exists "one_time_tokens_purpose_check";`);

    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_purpose_check" check("purpose" in ('verify_email', 'reset_password', 'change_email', 'invitation'));`);

    this.addSql(`alter table "security_events" drop column "provider";`);

    this.addSql(`alter table "users" alter column "password_hash" type varchar(255) using ("password_hash"::varchar(255));`);
    this.addSql(`alter table "users" alter column "password_hash" set not null;`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261202193407_init extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "invitations" ("id" varchar(255) not null, "email" varchar(320) not null, "email_normalized" varchar(320) not null, "role" text check ("role" in ('user', 'admin')) not null, "token_hash" varchar(64) not null, "invited_by" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, constraint "invitations_pkey" primary key ("id"));`);
    this.addSql(`create index "invitations_email_normalized_index" on "invitations" ("email_normalized");`);
    this.addSql(`alter table "invitations" add constraint "invitations_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "invitations_created_at_index" on "invitations" ("created_at");`);

    this.addSql(`create table "rate_limit_hits" ("id" serial primary key, "key" varchar(300) not null, "at" timestamptz not null);`);
    this.addSql(`create index "rate_limit_hits_key_at_index" on "rate_limit_hits" ("key", "at");`);
    this.addSql(`create index "rate_limit_hits_at_index" on "rate_limit_hits" ("at");`);

    this.addSql(`create table "users" ("id" varchar(255) not null, "email" varchar(320) not null, "email_normalized" varchar(320) not null, "password_hash" varchar(255) not null, "email_verified_at" timestamptz null, "role" text check ("role" in ('user', 'admin')) not null default 'user', "disabled_at" timestamptz null, "deactivated_at" timestamptz null, "last_sign_in_at" timestamptz null, "mfa_secret" varchar(200) null, "mfa_pending_secret" varchar(200) null, "mfa_enabled_at" timestamptz null, "mfa_last_step" bigint null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_normalized_unique" unique ("email_normalized");`);

    this.addSql(`create table "sessions" ("id" varchar(255) not null, "user_id" varchar(255) not null, "created_at" timestamptz not null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "ip" varchar(64) not null, "user_agent" varchar(512) not null, "refresh_jti_hash" varchar(64) not null, "previous_jti_hash" varchar(64) null, "rotated_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`create table "security_events" ("id" varchar(255) not null, "user_id" varchar(255) null, "type" varchar(64) not null, "at" timestamptz not null, "ip" varchar(64) null, "user_agent" varchar(512) null, "actor_id" varchar(64) null, constraint "security_events_pkey" primary key ("id"));`);
    this.addSql(`create index "security_events_user_id_at_index" on "security_events" ("user_id", "at");`);

    this.addSql(`create table "recovery_codes" ("id" varchar(255) not null, "user_id" varchar(255) not null, "code_hash" varchar(64) not null, "used_at" timestamptz null, constraint "recovery_codes_pkey" primary key ("id"));`);
    this.addSql(`create index "recovery_codes_user_id_index" on "recovery_codes" ("user_id");`);

    this.addSql(`create table "profiles" ("user_id" varchar(255) not null, "name" varchar(240) not null default '', "avatar_file" varchar(255) null, "updated_at" timestamptz not null, constraint "profiles_pkey" primary key ("user_id"));`);

    this.addSql(`create table "privacy_settings" ("user_id" varchar(255) not null, "allow_email_contact" boolean not null default false, constraint "privacy_settings_pkey" primary key ("user_id"));`);

    this.addSql(`create table "preferences" ("user_id" varchar(255) not null, "theme" text check ("theme" in ('system', 'light', 'dark')) not null default 'system', "locale" varchar(35) not null default 'en', "time_zone" varchar(64) not null default 'UTC', "security_alerts" boolean not null default true, "product_updates" boolean not null default false, constraint "preferences_pkey" primary key ("user_id"));`);

    this.addSql(`create table "password_history" ("id" varchar(255) not null, "user_id" varchar(255) not null, "password_hash" varchar(255) not null, "created_at" timestamptz not null, constraint "password_history_pkey" primary key ("id"));`);
    this.addSql(`create index "password_history_user_id_created_at_index" on "password_history" ("user_id", "created_at");`);

    this.addSql(`create table "one_time_tokens" ("id" varchar(255) not null, "token_hash" varchar(64) not null, "purpose" text check ("purpose" in ('verify_email', 'reset_password', 'change_email', 'invitation')) not null, "user_id" varchar(255) null, "email" varchar(320) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "one_time_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "one_time_tokens_user_id_index" on "one_time_tokens" ("user_id");`);

    this.addSql(`create table "mfa_challenges" ("id" varchar(255) not null, "token_hash" varchar(64) not null, "user_id" varchar(255) not null, "expires_at" timestamptz not null, "attempts" int not null default 0, "ip" varchar(64) not null, "user_agent" varchar(512) not null, constraint "mfa_challenges_pkey" primary key ("id"));`);
    this.addSql(`alter table "mfa_challenges" add constraint "mfa_challenges_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "mfa_challenges_user_id_index" on "mfa_challenges" ("user_id");`);

    this.addSql(`create table "flyers" ("id" varchar(255) not null, "user_id" varchar(255) not null, "title" varchar(480) not null, "body" text not null, "status" text check ("status" in ('draft', 'published')) not null default 'draft', "created_at" timestamptz not null, "updated_at" timestamptz not null, "published_at" timestamptz null, constraint "flyers_pkey" primary key ("id"));`);
    this.addSql(`create index "flyers_user_id_status_published_at_index" on "flyers" ("user_id", "status", "published_at");`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "security_events" add constraint "security_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "recovery_codes" add constraint "recovery_codes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "profiles" add constraint "profiles_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "privacy_settings" add constraint "privacy_settings_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "preferences" add constraint "preferences_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "password_history" add constraint "password_history_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "mfa_challenges" add constraint "mfa_challenges_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "flyers" add constraint "flyers_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "security_events" drop constraint "security_events_user_id_foreign";`);

    this.addSql(`alter table "recovery_codes" drop constraint "recovery_codes_user_id_foreign";`);

    this.addSql(`alter table "profiles" drop constraint "profiles_user_id_foreign";`);

    this.addSql(`alter table "privacy_settings" drop constraint "privacy_settings_user_id_foreign";`);

    this.addSql(`alter table "preferences" drop constraint "preferences_user_id_foreign";`);

    this.addSql(`alter table "password_history" drop constraint "password_history_user_id_foreign";`);

    this.addSql(`alter table "one_time_tokens" drop constraint "one_time_tokens_user_id_foreign";`);

    this.addSql(`alter table "mfa_challenges" drop constraint "mfa_challenges_user_id_foreign";`);

    this.addSql(`alter table "flyers" drop constraint "flyers_user_id_foreign";`);

    this.addSql(`drop table if exists "invitations" cascade;`);

    this.addSql(`drop table if exists "rate_limit_hits" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "security_events" cascade;`);

    this.addSql(`drop table if exists "recovery_codes" cascade;`);

    this.addSql(`drop table if exists "profiles" cascade;`);

    this.addSql(`drop table if exists "privacy_settings" cascade;`);

    this.addSql(`drop table if exists "preferences" cascade;`);

    this.addSql(`drop table if exists "password_history" cascade;`);

    this.addSql(`drop table if exists "one_time_tokens" cascade;`);

    this.addSql(`drop table if exists "mfa_challenges" cascade;`);

    this.addSql(`drop table if exists "flyers" cascade;`);
  }

}

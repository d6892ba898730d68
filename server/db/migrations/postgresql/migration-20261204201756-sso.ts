import { Migration } from '@mikro-orm/migrations';

export class Migration20261204201756_sso extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "saml_assertions" ("id" varchar(64) not null, "expires_at" timestamptz not null, constraint "saml_assertions_pkey" primary key ("id"));`);
    this.addSql(`create index "saml_assertions_expires_at_index" on "saml_assertions" ("expires_at");`);

    this.addSql(`create table "sso_connections" ("id" varchar(255) not null, "org_id" varchar(255) not null, "protocol" text check ("protocol" in ('oidc', 'saml')) not null, "name" varchar(320) not null, "domains" text not null, "default_role" text check ("default_role" in ('member', 'admin')) not null, "required" boolean not null default false, "settings" text not null, "sealed_secret" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "sso_connections_pkey" primary key ("id"));`);
    this.addSql(`create index "sso_connections_org_id_index" on "sso_connections" ("org_id");`);

    this.addSql(`create table "saml_requests" ("id" varchar(128) not null, "connection_id" varchar(255) not null, "browser_hash" varchar(64) not null, "return_to" varchar(2048) not null, "expires_at" timestamptz not null, constraint "saml_requests_pkey" primary key ("id"));`);
    this.addSql(`create index "saml_requests_connection_id_index" on "saml_requests" ("connection_id");`);
    this.addSql(`create index "saml_requests_expires_at_index" on "saml_requests" ("expires_at");`);

    this.addSql(`create table "sso_domains" ("id" varchar(255) not null, "org_id" varchar(255) not null, "domain" varchar(253) not null, "challenge" varchar(64) not null, "verified_domain" varchar(253) null, "verified_at" timestamptz null, "created_at" timestamptz not null, constraint "sso_domains_pkey" primary key ("id"));`);
    this.addSql(`alter table "sso_domains" add constraint "sso_domains_verified_domain_unique" unique ("verified_domain");`);
    this.addSql(`alter table "sso_domains" add constraint "sso_domains_org_id_domain_unique" unique ("org_id", "domain");`);

    this.addSql(`alter table "sso_connections" add constraint "sso_connections_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "saml_requests" add constraint "saml_requests_connection_id_foreign" foreign key ("connection_id") references "sso_connections" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sso_domains" add constraint "sso_domains_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "org_events" drop constraint if exists "org_events_type_check";`);

    this.addSql(`alter table "org_events" add constraint "org_events_type_check" check("type" in ('org.created', 'org.updated', 'member.invited', 'member.invitation_revoked', 'member.joined', 'member.role_changed', 'member.removed', 'member.left', 'sso.connection_created', 'sso.connection_updated', 'sso.connection_deleted', 'sso.domain_verified', 'sso.domain_removed'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "saml_requests" drop constraint "saml_requests_connection_id_foreign";`);

    this.addSql(`drop table if exists "saml_assertions" cascade;`);

    this.addSql(`drop table if exists "sso_connections" cascade;`);

    this.addSql(`drop table if exists "saml_requests" cascade;`);

    this.addSql(`drop table if exists "sso_domains" cascade;`);

    this.addSql(`alter table "org_events" drop constraint if exists "org_events_type_check";`);

    this.addSql(`alter table "org_events" add constraint "org_events_type_check" check("type" in ('org.created', 'org.updated', 'member.invited', 'member.invitation_revoked', 'member.joined', 'member.role_changed', 'member.removed', 'member.left'));`);
  }

}

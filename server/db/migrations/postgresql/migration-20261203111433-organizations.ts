import { Migration } from '@mikro-orm/migrations';

export class Migration20261203111433_organizations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "organizations" ("id" varchar(255) not null, "name" varchar(320) not null, "slug" varchar(40) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "organizations_pkey" primary key ("id"));`);
    this.addSql(`alter table "organizations" add constraint "organizations_slug_unique" unique ("slug");`);

    this.addSql(`create table "org_events" ("id" varchar(255) not null, "org_id" varchar(255) not null, "type" text check ("type" in ('org.created', 'org.updated', 'member.invited', 'member.invitation_revoked', 'member.joined', 'member.role_changed', 'member.removed', 'member.left')) not null, "actor_id" varchar(64) null, "subject_id" varchar(64) null, "subject_email" varchar(320) null, "role" text check ("role" in ('owner', 'admin', 'member')) null, "at" timestamptz not null, constraint "org_events_pkey" primary key ("id"));`);
    this.addSql(`create index "org_events_org_id_at_index" on "org_events" ("org_id", "at");`);

    this.addSql(`create table "org_invitations" ("id" varchar(255) not null, "org_id" varchar(255) not null, "email" varchar(320) not null, "email_normalized" varchar(320) not null, "role" text check ("role" in ('owner', 'admin', 'member')) not null, "token_hash" varchar(64) not null, "invited_by" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "accepted_at" timestamptz null, "revoked_at" timestamptz null, constraint "org_invitations_pkey" primary key ("id"));`);
    this.addSql(`alter table "org_invitations" add constraint "org_invitations_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "org_invitations_org_id_created_at_index" on "org_invitations" ("org_id", "created_at");`);
    this.addSql(`create index "org_invitations_org_id_email_normalized_index" on "org_invitations" ("org_id", "email_normalized");`);

    this.addSql(`create table "notices" ("id" varchar(255) not null, "org_id" varchar(255) not null, "author_id" varchar(255) null, "title" varchar(480) not null, "body" text not null, "created_at" timestamptz not null, constraint "notices_pkey" primary key ("id"));`);
    this.addSql(`create index "notices_author_id_index" on "notices" ("author_id");`);
    this.addSql(`create index "notices_org_id_created_at_index" on "notices" ("org_id", "created_at");`);

    this.addSql(`create table "memberships" ("id" varchar(255) not null, "org_id" varchar(255) not null, "user_id" varchar(255) not null, "role" text check ("role" in ('owner', 'admin', 'member')) not null, "created_at" timestamptz not null, constraint "memberships_pkey" primary key ("id"));`);
    this.addSql(`create index "memberships_user_id_index" on "memberships" ("user_id");`);
    this.addSql(`create index "memberships_org_id_created_at_index" on "memberships" ("org_id", "created_at");`);
    this.addSql(`create index "memberships_org_id_role_index" on "memberships" ("org_id", "role");`);
    this.addSql(`alter table "memberships" add constraint "memberships_org_id_user_id_unique" unique ("org_id", "user_id");`);

    this.addSql(`alter table "org_events" add constraint "org_events_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "org_invitations" add constraint "org_invitations_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notices" add constraint "notices_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notices" add constraint "notices_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "memberships" add constraint "memberships_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "org_events" drop constraint "org_events_org_id_foreign";`);

    this.addSql(`alter table "org_invitations" drop constraint "org_invitations_org_id_foreign";`);

    this.addSql(`alter table "notices" drop constraint "notices_org_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_org_id_foreign";`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "org_events" cascade;`);

    this.addSql(`drop table if exists "org_invitations" cascade;`);

    this.addSql(`drop table if exists "notices" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);
  }

}

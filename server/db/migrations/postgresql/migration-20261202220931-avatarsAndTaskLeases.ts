import { Migration } from '@mikro-orm/migrations';

export class Migration20261202220931_avatarsAndTaskLeases extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "avatars" ("name" varchar(80) not null, "data" bytea not null, "created_at" timestamptz not null, constraint "avatars_pkey" primary key ("name"));`);

    this.addSql(`create table "task_leases" ("task" varchar(64) not null, "holder" varchar(64) not null, "until" timestamptz not null, constraint "task_leases_pkey" primary key ("task"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "avatars" cascade;`);

    this.addSql(`drop table if exists "task_leases" cascade;`);
  }

}

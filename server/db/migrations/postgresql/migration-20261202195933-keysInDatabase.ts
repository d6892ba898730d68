import { Migration } from '@mikro-orm/migrations';

export class Migration20261202195933_keysInDatabase extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "keys" ("id" varchar(64) not null, "purpose" text check ("purpose" in ('signing', 'secret-box', 'device-cookie')) not null, "slot" varchar(64) null, "sealed" text not null, "created_at" timestamptz not null, "activates_at" timestamptz not null, constraint "keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "keys" add constraint "keys_slot_unique" unique ("slot");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "keys" cascade;`);
  }

}

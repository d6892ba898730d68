import { Migration } from '@mikro-orm/migrations';

export class Migration20261202195933_keysInDatabase extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`keys\` (\`id\` text not null, \`purpose\` text check (\`purpose\` in ('signing', 'secret-box', 'device-cookie')) not null, \`slot\` text null, \`sealed\` text not null, \`created_at\` datetime not null, \`activates_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(`create unique index \`keys_slot_unique\` on \`keys\` (\`slot\`);`);
  }
}

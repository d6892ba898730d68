import { Migration } from '@mikro-orm/migrations';

export class Migration20261121190414_accountSecurity extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`recovery_codes\` (\`id\` text not null, \`user_id\` text not null, \`code_hash\` text not null, \`used_at\` datetime null, constraint \`recovery_codes_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`recovery_codes_user_id_index\` on \`recovery_codes\` (\`user_id\`);`);

    this.addSql(`create table \`password_history\` (\`id\` text not null, \`user_id\` text not null, \`password_hash\` text not null, \`created_at\` datetime not null, constraint \`password_history_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`password_history_user_id_index\` on \`password_history\` (\`user_id\`);`);
    this.addSql(`create index \`password_history_user_id_created_at_index\` on \`password_history\` (\`user_id\`, \`created_at\`);`);

    this.addSql(`create table \`mfa_challenges\` (\`id\` text not null, \`token_hash\` text not null, \`user_id\` text not null, \`expires_at\` datetime not null, \`attempts\` integer not null default 0, \`ip\` text not null, \`user_agent\` text not null, constraint \`mfa_challenges_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`mfa_challenges_token_hash_unique\` on \`mfa_challenges\` (\`token_hash\`);`);
    this.addSql(`create index \`mfa_challenges_user_id_index\` on \`mfa_challenges\` (\`user_id\`);`);

    this.addSql(`alter table \`users\` add column \`mfa_secret\` text null;`);
    this.addSql(`alter table \`users\` add column \`mfa_pending_secret\` text null;`);
    this.addSql(`alter table \`users\` add column \`mfa_enabled_at\` datetime null;`);
    this.addSql(`alter table \`users\` add column \`mfa_last_step\` bigint null;`);
  }

}

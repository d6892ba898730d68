import { Migration } from '@mikro-orm/migrations';

export class Migration20261121185138_flyersRateLimits extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`rate_limit_hits\` (\`id\` integer not null primary key autoincrement, \`key\` text not null, \`at\` bigint not null);`);
    this.addSql(`create index \`rate_limit_hits_key_at_index\` on \`rate_limit_hits\` (\`key\`, \`at\`);`);
    this.addSql(`create index \`rate_limit_hits_at_index\` on \`rate_limit_hits\` (\`at\`);`);

    this.addSql(`create table \`flyers\` (\`id\` text not null, \`user_id\` text not null, \`title\` text not null, \`body\` text not null, \`status\` text check (\`status\` in ('draft', 'published')) not null default 'draft', \`created_at\` datetime not null, \`updated_at\` datetime not null, \`published_at\` datetime null, constraint \`flyers_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`flyers_user_id_index\` on \`flyers\` (\`user_id\`);`);
    this.addSql(`create index \`flyers_user_id_status_published_at_index\` on \`flyers\` (\`user_id\`, \`status\`, \`published_at\`);`);
  }

}

import { Migration } from '@mikro-orm/migrations';

// rate_limit_hits.at becomes a datetime (milliseconds since the epoch, as every datetime column
// here), so that statements bind Date values on every dialect.
export class Migration20261202193407_rateLimitHitAt extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`rate_limit_hits__temp_alter\` (\`id\` integer not null primary key autoincrement, \`key\` text not null, \`at\` datetime not null);`,
    );
    this.addSql(`insert into \`rate_limit_hits__temp_alter\` select \`id\`, \`key\`, \`at\` from \`rate_limit_hits\`;`);
    this.addSql(`drop table \`rate_limit_hits\`;`);
    this.addSql(`alter table \`rate_limit_hits__temp_alter\` rename to \`rate_limit_hits\`;`);
    this.addSql(`create index \`rate_limit_hits_key_at_index\` on \`rate_limit_hits\` (\`key\`, \`at\`);`);
    this.addSql(`create index \`rate_limit_hits_at_index\` on \`rate_limit_hits\` (\`at\`);`);
  }
}

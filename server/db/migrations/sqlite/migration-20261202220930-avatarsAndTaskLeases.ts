import { Migration } from '@mikro-orm/migrations';

export class Migration20261202220930_avatarsAndTaskLeases extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`avatars\` (\`name\` text not null, \`data\` blob not null, \`created_at\` datetime not null, primary key (\`name\`));`);

    this.addSql(`create table \`task_leases\` (\`task\` text not null, \`holder\` text not null, \`until\` datetime not null, primary key (\`task\`));`);
  }

}

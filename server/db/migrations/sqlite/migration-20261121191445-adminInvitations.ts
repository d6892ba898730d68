import { Migration } from '@mikro-orm/migrations';

export class Migration20261121191445_adminInvitations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`invitations\` (\`id\` text not null, \`email\` text not null, \`email_normalized\` text not null, \`role\` text check (\`role\` in ('user', 'admin')) not null, \`token_hash\` text not null, \`invited_by\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`accepted_at\` datetime null, \`revoked_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`invitations_email_normalized_index\` on \`invitations\` (\`email_normalized\`);`);
    this.addSql(`create unique index \`invitations_token_hash_unique\` on \`invitations\` (\`token_hash\`);`);
    this.addSql(`create index \`invitations_created_at_index\` on \`invitations\` (\`created_at\`);`);

    this.addSql(`alter table \`security_events\` add column \`actor_id\` text null;`);
  }

}

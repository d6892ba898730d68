import { Migration } from '@mikro-orm/migrations';

export class Migration20261203111432_organizations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`organizations\` (\`id\` text not null, \`name\` text not null, \`slug\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`organizations_slug_unique\` on \`organizations\` (\`slug\`);`);

    this.addSql(`create table \`org_events\` (\`id\` text not null, \`org_id\` text not null, \`type\` text check (\`type\` in ('org.created', 'org.updated', 'member.invited', 'member.invitation_revoked', 'member.joined', 'member.role_changed', 'member.removed', 'member.left')) not null, \`actor_id\` text null, \`subject_id\` text null, \`subject_email\` text null, \`role\` text check (\`role\` in ('owner', 'admin', 'member')) null, \`at\` datetime not null, constraint \`org_events_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`org_events_org_id_index\` on \`org_events\` (\`org_id\`);`);
    this.addSql(`create index \`org_events_org_id_at_index\` on \`org_events\` (\`org_id\`, \`at\`);`);

    this.addSql(`create table \`org_invitations\` (\`id\` text not null, \`org_id\` text not null, \`email\` text not null, \`email_normalized\` text not null, \`role\` text check (\`role\` in ('owner', 'admin', 'member')) not null, \`token_hash\` text not null, \`invited_by\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`accepted_at\` datetime null, \`revoked_at\` datetime null, constraint \`org_invitations_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`org_invitations_org_id_index\` on \`org_invitations\` (\`org_id\`);`);
    this.addSql(`create unique index \`org_invitations_token_hash_unique\` on \`org_invitations\` (\`token_hash\`);`);
    this.addSql(`create index \`org_invitations_org_id_created_at_index\` on \`org_invitations\` (\`org_id\`, \`created_at\`);`);
    this.addSql(`create index \`org_invitations_org_id_email_normalized_index\` on \`org_invitations\` (\`org_id\`, \`email_normalized\`);`);

    this.addSql(`create table \`notices\` (\`id\` text not null, \`org_id\` text not null, \`author_id\` text null, \`title\` text not null, \`body\` text not null, \`created_at\` datetime not null, constraint \`notices_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, constraint \`notices_author_id_foreign\` foreign key(\`author_id\`) references \`users\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`notices_org_id_index\` on \`notices\` (\`org_id\`);`);
    this.addSql(`create index \`notices_author_id_index\` on \`notices\` (\`author_id\`);`);
    this.addSql(`create index \`notices_org_id_created_at_index\` on \`notices\` (\`org_id\`, \`created_at\`);`);

    this.addSql(`create table \`memberships\` (\`id\` text not null, \`org_id\` text not null, \`user_id\` text not null, \`role\` text check (\`role\` in ('owner', 'admin', 'member')) not null, \`created_at\` datetime not null, constraint \`memberships_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, constraint \`memberships_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`memberships_org_id_index\` on \`memberships\` (\`org_id\`);`);
    this.addSql(`create index \`memberships_user_id_index\` on \`memberships\` (\`user_id\`);`);
    this.addSql(`create index \`memberships_org_id_created_at_index\` on \`memberships\` (\`org_id\`, \`created_at\`);`);
    this.addSql(`create index \`memberships_org_id_role_index\` on \`memberships\` (\`org_id\`, \`role\`);`);
    this.addSql(`create unique index \`memberships_org_id_user_id_unique\` on \`memberships\` (\`org_id\`, \`user_id\`);`);
  }

}

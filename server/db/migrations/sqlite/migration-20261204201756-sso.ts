import { Migration } from '@mikro-orm/migrations';

export class Migration20261204201756_sso extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`saml_assertions\` (\`id\` text not null, \`expires_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`saml_assertions_expires_at_index\` on \`saml_assertions\` (\`expires_at\`);`);

    this.addSql(`create table \`sso_connections\` (\`id\` text not null, \`org_id\` text not null, \`protocol\` text check (\`protocol\` in ('oidc', 'saml')) not null, \`name\` text not null, \`domains\` text not null, \`default_role\` text check (\`default_role\` in ('member', 'admin')) not null, \`required\` integer not null default false, \`settings\` text not null, \`sealed_secret\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`sso_connections_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`sso_connections_org_id_index\` on \`sso_connections\` (\`org_id\`);`);

    this.addSql(`create table \`saml_requests\` (\`id\` text not null, \`connection_id\` text not null, \`browser_hash\` text not null, \`return_to\` text not null, \`expires_at\` datetime not null, constraint \`saml_requests_connection_id_foreign\` foreign key(\`connection_id\`) references \`sso_connections\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`saml_requests_connection_id_index\` on \`saml_requests\` (\`connection_id\`);`);
    this.addSql(`create index \`saml_requests_expires_at_index\` on \`saml_requests\` (\`expires_at\`);`);

    this.addSql(`create table \`sso_domains\` (\`id\` text not null, \`org_id\` text not null, \`domain\` text not null, \`challenge\` text not null, \`verified_domain\` text null, \`verified_at\` datetime null, \`created_at\` datetime not null, constraint \`sso_domains_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`sso_domains_org_id_index\` on \`sso_domains\` (\`org_id\`);`);
    this.addSql(`create unique index \`sso_domains_verified_domain_unique\` on \`sso_domains\` (\`verified_domain\`);`);
    this.addSql(`create unique index \`sso_domains_org_id_domain_unique\` on \`sso_domains\` (\`org_id\`, \`domain\`);`);

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`org_events__temp_alter\` (\`id\` text not null, \`org_id\` text not null, \`type\` text check (\`type\` in ('org.created', 'org.updated', 'member.invited', 'member.invitation_revoked', 'member.joined', 'member.role_changed', 'member.removed', 'member.left', 'sso.connection_created', 'sso.connection_updated', 'sso.connection_deleted', 'sso.domain_verified', 'sso.domain_removed')) not null, \`actor_id\` text null, \`subject_id\` text null, \`subject_email\` text null, \`role\` text check (\`role\` in ('owner', 'admin', 'member')) null, \`at\` datetime not null, constraint \`org_events_org_id_foreign\` foreign key(\`org_id\`) references \`organizations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`insert into \`org_events__temp_alter\` select \`id\`, \`org_id\`, \`type\`, \`actor_id\`, \`subject_id\`, \`subject_email\`, \`role\`, \`at\` from \`org_events\`;`);
    this.addSql(`drop table \`org_events\`;`);
    this.addSql(`alter table \`org_events__temp_alter\` rename to \`org_events\`;`);
    this.addSql(`create index \`org_events_org_id_index\` on \`org_events\` (\`org_id\`);`);
    this.addSql(`create index \`org_events_org_id_at_index\` on \`org_events\` (\`org_id\`, \`at\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}

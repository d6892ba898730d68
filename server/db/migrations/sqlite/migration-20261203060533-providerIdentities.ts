import { Migration } from '@mikro-orm/migrations';

export class Migration20261203060533_providerIdentities extends Migration {

  override async up(): Promise<void> {
    await this.loosenConstraints();
    this.addSql(`create table \`pending_identity_links\` (\`id\` text not null, \`token_hash\` text not null, \`user_id\` text not null, \`provider\` text not null, \`issuer\` text not null, \`subject\` text not null, \`email\` text null, \`expires_at\` datetime not null, constraint \`pending_identity_links_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`pending_identity_links_token_hash_unique\` on \`pending_identity_links\` (\`token_hash\`);`);
    this.addSql(`create index \`pending_identity_links_user_id_index\` on \`pending_identity_links\` (\`user_id\`);`);

    this.addSql(`create table \`oauth_flows\` (\`id\` text not null, \`state_hash\` text not null, \`browser_hash\` text not null, \`provider\` text not null, \`code_verifier\` text not null, \`nonce\` text null, \`intent\` text check (\`intent\` in ('signin', 'link')) not null, \`user_id\` text null, \`return_to\` text not null, \`expires_at\` datetime not null, constraint \`oauth_flows_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`oauth_flows_state_hash_unique\` on \`oauth_flows\` (\`state_hash\`);`);
    this.addSql(`create index \`oauth_flows_user_id_index\` on \`oauth_flows\` (\`user_id\`);`);
    this.addSql(`create index \`oauth_flows_expires_at_index\` on \`oauth_flows\` (\`expires_at\`);`);

    this.addSql(`create table \`identities\` (\`id\` text not null, \`user_id\` text not null, \`provider\` text not null, \`issuer\` text not null, \`subject\` text not null, \`email\` text null, \`created_at\` datetime not null, \`last_used_at\` datetime null, constraint \`identities_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`identities_user_id_index\` on \`identities\` (\`user_id\`);`);
    this.addSql(`create unique index \`identities_issuer_subject_unique\` on \`identities\` (\`issuer\`, \`subject\`);`);

    this.addSql(`alter table \`security_events\` add column \`provider\` text null;`);
  }

  /**
   * users.password_hash loses NOT NULL and one_time_tokens.purpose gains 'link_ticket'. SQLite would
   * rebuild both tables, and dropping users inside the migration's transaction (where foreign_keys
   * cannot be turned off) would cascade-delete every row that refers to it. Loosening a NOT NULL or a
   * CHECK constraint leaves the stored rows valid, so the table text is edited instead, as SQLite's
   * ALTER TABLE page describes ("Making Other Kinds Of Table Schema Changes"), before any other DDL.
   */
  private async loosenConstraints(): Promise<void> {
    const [{ schema_version: version }] = (await this.execute('pragma schema_version')) as [{ schema_version: number }];
    await this.execute('pragma writable_schema = on');
    await this.execute(
      "update sqlite_master set sql = replace(sql, '`password_hash` text not null', '`password_hash` text null') where type = 'table' and name = 'users'",
    );
    await this.execute(
      "update sqlite_master set sql = replace(sql, '''invitation'')', '''invitation'', ''link_ticket'')') where type = 'table' and name = 'one_time_tokens'",
    );
    await this.execute(`pragma schema_version = ${Number(version) + 1}`);
    await this.execute('pragma writable_schema = off');
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261121183608_init extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`users\` (\`id\` text not null, \`email\` text not null, \`email_normalized\` text not null, \`password_hash\` text not null, \`email_verified_at\` datetime null, \`role\` text check (\`role\` in ('user', 'admin')) not null default 'user', \`disabled_at\` datetime null, \`deactivated_at\` datetime null, \`last_sign_in_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`users_email_normalized_unique\` on \`users\` (\`email_normalized\`);`);

    this.addSql(`create table \`sessions\` (\`id\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`last_used_at\` datetime not null, \`expires_at\` datetime not null, \`revoked_at\` datetime null, \`ip\` text not null, \`user_agent\` text not null, \`refresh_jti_hash\` text not null, \`previous_jti_hash\` text null, \`rotated_at\` datetime null, constraint \`sessions_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);

    this.addSql(`create table \`security_events\` (\`id\` text not null, \`user_id\` text null, \`type\` text not null, \`at\` datetime not null, \`ip\` text null, \`user_agent\` text null, constraint \`security_events_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`security_events_user_id_index\` on \`security_events\` (\`user_id\`);`);
    this.addSql(`create index \`security_events_user_id_at_index\` on \`security_events\` (\`user_id\`, \`at\`);`);

    this.addSql(`create table \`profiles\` (\`user_id\` text not null, \`name\` text not null default '', \`avatar_file\` text null, \`updated_at\` datetime not null, constraint \`profiles_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`user_id\`));`);

    this.addSql(`create table \`privacy_settings\` (\`user_id\` text not null, \`allow_email_contact\` integer not null default false, constraint \`privacy_settings_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`user_id\`));`);

    this.addSql(`create table \`preferences\` (\`user_id\` text not null, \`theme\` text check (\`theme\` in ('system', 'light', 'dark')) not null default 'system', \`locale\` text not null default 'en', \`time_zone\` text not null default 'UTC', \`security_alerts\` integer not null default true, \`product_updates\` integer not null default false, constraint \`preferences_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`user_id\`));`);

    this.addSql(`create table \`one_time_tokens\` (\`id\` text not null, \`token_hash\` text not null, \`purpose\` text check (\`purpose\` in ('verify_email', 'reset_password', 'change_email', 'invitation')) not null, \`user_id\` text null, \`email\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`used_at\` datetime null, constraint \`one_time_tokens_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`one_time_tokens_token_hash_unique\` on \`one_time_tokens\` (\`token_hash\`);`);
    this.addSql(`create index \`one_time_tokens_user_id_index\` on \`one_time_tokens\` (\`user_id\`);`);
  }

}

import { Migration } from '@mikro-orm/migrations';

// The admin list of security events (API.md §16), newest first overall, by type or by address.
export class Migration20261204180239_securityEventIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index \`security_events_at_id_index\` on \`security_events\` (\`at\`, \`id\`);`);
    this.addSql(`create index \`security_events_type_at_id_index\` on \`security_events\` (\`type\`, \`at\`, \`id\`);`);
    this.addSql(`create index \`security_events_ip_at_id_index\` on \`security_events\` (\`ip\`, \`at\`, \`id\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index \`security_events_at_id_index\`;`);
    this.addSql(`drop index \`security_events_type_at_id_index\`;`);
    this.addSql(`drop index \`security_events_ip_at_id_index\`;`);
  }
}

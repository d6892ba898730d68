// vitest globalSetup of the `postgresql` project: one throwaway cluster for the run (or the server
// at TEST_DATABASE_URL), and a migrated template database that every test database copies.
import type { TestProject } from 'vitest/node';
import { openDatabase } from '#server/db/orm.ts';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.ts';
import { adminSql } from './test-database.ts';

let cluster: PostgresCluster | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? (cluster = await startPostgresCluster()).url;
  const template = `latchkey_template_${process.pid}`;
  await adminSql(adminUrl, `drop database if exists ${template}`);
  await adminSql(adminUrl, `create database ${template}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const orm = await openDatabase({
    database: { dialect: 'postgresql', url: templateUrl.toString() },
    dataDir: '/nonexistent',
  });
  await orm.close();
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplate', template);
  return async () => {
    if (cluster) await cluster.stop();
    else await adminSql(adminUrl, `drop database if exists ${template}`).catch(() => {});
  };
}

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import type { DatabaseConfig } from '#server/config.ts';
import { openDatabase, type Orm } from '#server/db/orm.ts';
import { ormOptions } from '#server/db/orm-options.ts';
import { emptyPostgresDatabase, onPostgres } from '#tests/helpers/test-database.ts';

// API.md §11 and DESIGN.md: migrations are checked in per dialect and run at start; they must
// build exactly the schema the entities describe.

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-migrations-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function emptyDatabase(name: string): Promise<DatabaseConfig> {
  if (onPostgres) return { dialect: 'postgresql', url: await emptyPostgresDatabase() };
  const file = path.join(dir, `${name}.db`);
  await fs.writeFile(file, '');
  return { dialect: 'sqlite', path: file };
}

/** SQLite's own record of every table and index, as comparable text (quoting and spacing aside). */
async function sqliteSchema(orm: Orm): Promise<string[]> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<Array<{ sql: string }>>(
      "select sql from sqlite_master where sql is not null and name not like 'mikro_orm_%' and name not like 'sqlite_%' order by name",
    );
  return rows
    .map((row) => definitionsInAnyOrder(row.sql.replace(/[`"]/g, '').replace(/\s+/g, ' ').toLowerCase()))
    .sort();
}

/** A column added later by ALTER TABLE comes last: the order of a table's definitions does not matter. */
function definitionsInAnyOrder(sql: string): string {
  const open = sql.indexOf('(');
  if (!sql.startsWith('create table') || open < 0) return sql;
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let index = start; index < sql.length - 1; index++) {
    if (sql[index] === '(') depth++;
    else if (sql[index] === ')') depth--;
    else if (sql[index] === ',' && depth === 0) {
      parts.push(sql.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(sql.slice(start, sql.lastIndexOf(')')).trim());
  return `${sql.slice(0, open)}(${parts.sort().join(', ')})`;
}

test('the checked-in migrations of this dialect build exactly the schema the entities describe', async () => {
  const migrated = await openDatabase({ database: await emptyDatabase('migrated'), dataDir: dir });
  try {
    if (onPostgres) {
      expect(await migrated.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).toBe('');
    } else {
      // MikroORM's SQLite diff reports enum checks as changed even when they are not, so compare
      // SQLite's own schema with one created straight from the entities.
      const fromEntities = await MikroORM.init<AbstractSqlDriver, SqlEntityManager>(
        ormOptions({ database: await emptyDatabase('entities') }),
      );
      try {
        await fromEntities.getSchemaGenerator().createSchema();
        expect(await sqliteSchema(migrated)).toEqual(await sqliteSchema(fromEntities));
      } finally {
        await fromEntities.close();
      }
    }
  } finally {
    await migrated.close();
  }
});

test.runIf(onPostgres)(
  'five servers opening one empty PostgreSQL database at the same moment migrate it once, and all start',
  async () => {
    const database = await emptyDatabase('race');
    const orms = await Promise.all(Array.from({ length: 5 }, () => openDatabase({ database, dataDir: dir })));
    try {
      const applied = await orms[0]!.em
        .fork()
        .getConnection()
        .execute<Array<{ name: string; times: string }>>(
          'select name, count(*) as times from mikro_orm_migrations group by name',
        );
      expect(applied.length).toBeGreaterThan(0);
      expect(applied.filter((row) => Number(row.times) !== 1)).toEqual([]);
    } finally {
      await Promise.all(orms.map((orm) => orm.close()));
    }
  },
);

test('the provider-identities migration keeps every account and its rows, and then takes accounts without a password', async () => {
  const database = await emptyDatabase('upgrade');
  const orm = await MikroORM.init<AbstractSqlDriver, SqlEntityManager>(ormOptions({ database }));
  try {
    const migrator = orm.getMigrator();
    const names = (await migrator.getPendingMigrations()).map((migration) => migration.name);
    const upgrade = names.findIndex((name) => name.endsWith('-providerIdentities'));
    await migrator.up({ to: names[upgrade - 1]! });
    const sql = orm.em.fork().getConnection();
    const now = new Date();
    await sql.execute(
      `insert into users (id, email, email_normalized, password_hash, role, created_at, updated_at) values ('u1', 'a@example.com', 'a@example.com', 'hash', 'user', ?, ?)`,
      [now, now],
    );
    await sql.execute(`insert into profiles (user_id, name, updated_at) values ('u1', 'Ann', ?)`, [now]);
    await sql.execute(
      `insert into sessions (id, user_id, created_at, last_used_at, expires_at, ip, user_agent, refresh_jti_hash) values ('s1', 'u1', ?, ?, ?, '192.0.2.1', 'test', 'jti')`,
      [now, now, now],
    );
    await migrator.up();
    const count = async (table: string) =>
      Number((await sql.execute<Array<{ n: number }>>(`select count(*) as n from ${table}`))[0]!.n);
    expect([await count('users'), await count('profiles'), await count('sessions')]).toEqual([1, 1, 1]);
    await sql.execute(
      `insert into users (id, email, email_normalized, password_hash, role, created_at, updated_at) values ('u2', 'b@example.com', 'b@example.com', null, 'user', ?, ?)`,
      [now, now],
    );
    await sql.execute(
      `insert into one_time_tokens (id, token_hash, purpose, user_id, email, created_at, expires_at) values ('t1', 'h', 'link_ticket', 'u2', 'b@example.com', ?, ?)`,
      [now, now],
    );
    expect(await count('users')).toBe(2);
  } finally {
    await orm.close();
  }
});

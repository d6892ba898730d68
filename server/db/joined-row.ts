import type { EntityDictionary, EntityManager, EntityName } from '@mikro-orm/core';

const columnCache = new Map<string, string[]>();

/** The table columns of an entity (scalars and owning relations), from the ORM's metadata. */
// EntitySchema's generics do not widen to EntityName<object>, hence `any` in these signatures.
function columnsOf(em: EntityManager, entity: EntityName<any>): string[] {
  const meta = em.getMetadata().get(entity as never);
  let columns = columnCache.get(meta.className);
  if (!columns) {
    columns = Object.values(meta.properties)
      .filter((prop) => prop.kind === 'scalar' || prop.kind === 'm:1' || (prop.kind === '1:1' && prop.owner))
      .flatMap((prop) => prop.fieldNames);
    columnCache.set(meta.className, columns);
  }
  return columns;
}

/** `select` list for `alias`: every column of the entity, named "<alias>.<column>". */
export function selectColumns(em: EntityManager, entity: EntityName<any>, alias: string): string {
  return columnsOf(em, entity)
    .map((column) => `${alias}.${column} as "${alias}.${column}"`)
    .join(', ');
}

/**
 * Hydrates the part of a joined row that belongs to `alias` into a managed entity (em.map),
 * as a find would, without the ORM building and parsing the query: for the hot paths.
 */
export function mapJoined<T extends object>(em: EntityManager, entity: EntityName<T>, row: Record<string, unknown>, alias: string): T {
  const prefix = `${alias}.`;
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith(prefix)) data[key.slice(prefix.length)] = value;
  return em.map(entity, data as EntityDictionary<T>);
}

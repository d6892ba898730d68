import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';

/**
 * Runs `decide` again, once, on a cleared unit of work when a concurrent request wrote the row it
 * meant to insert (the account, identity or membership another callback made between our read and
 * our write): the second run finds it and takes the path for an existing one.
 */
export async function againAfterUniqueViolation<T>(em: EntityManager, decide: () => Promise<T>): Promise<T> {
  try {
    return await decide();
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    em.clear();
    return decide();
  }
}

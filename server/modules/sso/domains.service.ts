import { Resolver } from 'node:dns/promises';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { SSO_DOMAIN_CHALLENGE_PREFIX } from '#shared/constants.ts';
import type { DomainChallenge, SsoDomain } from '#shared/schemas/sso.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { newSecret } from '#server/lib/ids.ts';
import { recordOrgEvent } from '#server/modules/orgs/org-log.ts';
import { OrganizationEntity, type Organization } from '#server/modules/orgs/organization.entity.ts';
import { connectionDomains, SsoConnectionEntity } from './sso-connection.entity.ts';
import { SsoDomainEntity, type SsoDomainRecord } from './sso-domain.entity.ts';

const RECORD_VALUE_PREFIX = 'latchkey-domain-verification=';

// Whoever held one of these would sign in as every member with an address there: never verified,
// even by a system admin.
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  'fastmail.com',
  'hey.com',
  'tutanota.com',
]);

const challengeOf = (row: SsoDomainRecord): DomainChallenge => ({
  recordName: `${SSO_DOMAIN_CHALLENGE_PREFIX}.${row.domain}`,
  recordValue: `${RECORD_VALUE_PREFIX}${row.challenge}`,
});

const toDomainView = (row: SsoDomainRecord): SsoDomain => ({
  domain: row.domain,
  ...challengeOf(row),
  verifiedAt: row.verifiedAt?.toISOString() ?? null,
});

const domainProblem = (message: string) =>
  new AppError('INVALID_INPUT', message, { fieldErrors: { domain: [message] } });

/** Adds the challenges an organization lacks for these domains (flushed with the caller's change). */
export async function ensureDomainChallenges(
  em: EntityManager,
  deps: Deps,
  org: Organization,
  domains: string[],
): Promise<void> {
  const known = new Set(
    (await em.find(SsoDomainEntity, { org: org.id, domain: { $in: domains } })).map((row) => row.domain),
  );
  for (const domain of domains.filter((item) => !known.has(item))) {
    em.create(SsoDomainEntity, { org: org.id, domain, challenge: newSecret(), createdAt: deps.now() });
  }
}

async function challengeRow(em: EntityManager, deps: Deps, orgId: string, domain: string): Promise<SsoDomainRecord> {
  const existing = await em.findOne(SsoDomainEntity, { org: orgId, domain });
  if (existing) return existing;
  try {
    const row = em.create(SsoDomainEntity, { org: orgId, domain, challenge: newSecret(), createdAt: deps.now() });
    await em.flush();
    return row;
  } catch (error) {
    // Two tabs asked at once: the other's challenge stands.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    em.clear();
    return em.findOneOrFail(SsoDomainEntity, { org: orgId, domain });
  }
}

/** `orgs.sso.domainChallenge`: the TXT record that proves the organization holds the domain. */
export async function domainChallenge(
  em: EntityManager,
  deps: Deps,
  org: Organization,
  domain: string,
): Promise<DomainChallenge> {
  return challengeOf(await challengeRow(em, deps, org.id, domain));
}

export async function listDomains(em: EntityManager, org: Organization): Promise<SsoDomain[]> {
  const rows = await em.find(SsoDomainEntity, { org: org.id }, { orderBy: { domain: 'asc' } });
  return rows.map(toDomainView);
}

/** The TXT strings at `name` (each record's chunks joined); empty when there is none. */
async function txtRecords(deps: Deps, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (deps.config.dnsServers) resolver.setServers(deps.config.dnsServers);
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    deps.log.warn({ err: error, name }, 'a TXT lookup for domain verification failed');
    throw domainProblem('We could not look the record up just now. Try again in a minute.');
  }
}

/** Marks the domain verified for this organization; only one organization can hold a domain. */
async function markVerified(em: EntityManager, deps: Deps, row: SsoDomainRecord, actorId: string): Promise<SsoDomain> {
  if (row.verifiedAt) return toDomainView(row);
  if (PUBLIC_MAIL_DOMAINS.has(row.domain))
    throw domainProblem(`${row.domain} is a public mail service: no organization can hold it.`);
  const now = deps.now();
  row.verifiedDomain = row.domain;
  row.verifiedAt = now;
  recordOrgEvent(em, { orgId: row.org.id, type: 'sso.domain_verified', actorId, subjectEmail: row.domain, at: now });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException)
      throw domainProblem(`${row.domain} is already verified by another organization.`);
    throw error;
  }
  return toDomainView(row);
}

/** `orgs.sso.verifyDomain`: looks `_latchkey-challenge.<domain>` up (DNS_SERVERS when set). */
export async function verifyDomain(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  org: Organization,
  domain: string,
): Promise<SsoDomain> {
  const row = await em.findOne(SsoDomainEntity, { org: org.id, domain });
  if (!row) throw domainProblem('Ask for the TXT record to publish first.');
  if (row.verifiedAt) return toDomainView(row);
  const { recordName, recordValue } = challengeOf(row);
  if (!(await txtRecords(deps, recordName)).includes(recordValue))
    throw domainProblem(
      `We did not find the TXT record at ${recordName} yet. DNS changes can take a while to show: try again later.`,
    );
  return markVerified(em, deps, row, actorId);
}

/** `admin.orgs.verifyDomain`: a system admin vouches for the domain instead of DNS. */
export async function verifyDomainAsAdmin(
  em: EntityManager,
  deps: Deps,
  adminId: string,
  orgId: string,
  domain: string,
): Promise<SsoDomain> {
  if (!(await em.findOne(OrganizationEntity, { id: orgId })))
    throw new AppError('NOT_FOUND', 'There is no such organization.');
  return markVerified(em, deps, await challengeRow(em, deps, orgId, domain), adminId);
}

/**
 * `orgs.sso.removeDomain`: the organization gives the domain up; its connections stop listing it
 * and, once verified, another organization may prove it.
 */
export async function removeDomain(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  org: Organization,
  domain: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    if ((await tx.nativeDelete(SsoDomainEntity, { org: org.id, domain })) === 0)
      throw new AppError('NOT_FOUND', 'This organization has no such domain.');
    for (const connection of await tx.find(SsoConnectionEntity, { org: org.id })) {
      const domains = connectionDomains(connection);
      if (domains.includes(domain)) connection.domains = JSON.stringify(domains.filter((item) => item !== domain));
    }
    recordOrgEvent(tx, { orgId: org.id, type: 'sso.domain_removed', actorId, subjectEmail: domain, at: deps.now() });
    await tx.flush();
  });
}

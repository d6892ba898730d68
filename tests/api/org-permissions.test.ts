import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Org } from '#shared/schemas/orgs.ts';
import { appRouter } from '#server/trpc/router.ts';
import { inviteToOrg, joinOrg } from '#tests/helpers/orgs.ts';
import {
  signUpAndVerify,
  startTestServer,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestClient,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §14: every organization procedure, as each kind of caller. A procedure that is added
// under orgs.* or takes an orgId fails the first test until it has a row here.

const CALLERS = ['owner', 'admin', 'member', 'nonMember', 'signedOut'] as const;
type Caller = (typeof CALLERS)[number];
/** `ok`, or the reason of API.md §2 the call fails with. */
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'FORBIDDEN' | 'LAST_OWNER' | 'INVALID_INPUT';
type Fixture = { org: Org; invitationId: string; noticeId: string; extra: SignedUp };
type Row = {
  expect: Record<Caller, Outcome>;
  run(trpc: TestClient['trpc'], fixture: Fixture, caller: Caller): Promise<unknown>;
  /** A success changes the fixture for the next caller: each success gets a fresh organization. */
  destructive?: boolean;
};

const everyMember = (outcome: Outcome = 'ok') => ({
  owner: outcome,
  admin: outcome,
  member: outcome,
  nonMember: 'NOT_FOUND' as const,
  signedOut: 'UNAUTHENTICATED' as const,
});
const managers = { ...everyMember(), member: 'FORBIDDEN' as const };
const ownersOnly = { ...managers, admin: 'FORBIDDEN' as const };
const anyAccount = { ...everyMember(), nonMember: 'ok' as const };

let server: TestServer;
const accounts = {} as Record<Exclude<Caller, 'signedOut'>, SignedUp>;
let counter = 0;
const slug = () => `perm-${Date.now().toString(36)}-${counter++}`;

const domain = () => `perm-${Date.now().toString(36)}-${counter++}.test`;

/** An OpenID Connect connection (nothing is fetched from its issuer until someone signs in). */
const createConnection = (t: TestClient['trpc'], f: Fixture) =>
  t.orgs.sso.create.mutate({
    orgId: f.org.id,
    protocol: 'oidc',
    name: 'Matrix IdP',
    domains: [domain()],
    defaultRole: 'member',
    config: { issuer: 'http://127.0.0.1:9/issuer', clientId: 'matrix', clientSecret: 'matrix-secret' },
  });

const MATRIX: Record<string, Row> = {
  'orgs.create': { expect: anyAccount, run: (t) => t.orgs.create.mutate({ name: 'Own', slug: slug() }) },
  'orgs.mine': { expect: anyAccount, run: (t) => t.orgs.mine.query() },
  'orgs.get': { expect: everyMember(), run: (t, f) => t.orgs.get.query({ orgId: f.org.id }) },
  'orgs.update': { expect: managers, run: (t, f) => t.orgs.update.mutate({ orgId: f.org.id, name: f.org.name }) },
  'orgs.delete': {
    expect: ownersOnly,
    destructive: true,
    run: (t, f, caller) =>
      t.orgs.delete.mutate({ orgId: f.org.id, password: caller === 'signedOut' ? 'x' : accounts[caller].password }),
  },
  // The only owner cannot leave; the others can.
  'orgs.leave': {
    expect: { ...everyMember(), owner: 'LAST_OWNER' },
    destructive: true,
    run: (t, f) => t.orgs.leave.mutate({ orgId: f.org.id }),
  },
  'orgs.members.list': { expect: everyMember(), run: (t, f) => t.orgs.members.list.query({ orgId: f.org.id }) },
  'orgs.members.setRole': {
    expect: managers,
    run: (t, f) => t.orgs.members.setRole.mutate({ orgId: f.org.id, userId: f.extra.session.user.id, role: 'member' }),
  },
  'orgs.members.remove': {
    expect: managers,
    destructive: true,
    run: (t, f) => t.orgs.members.remove.mutate({ orgId: f.org.id, userId: f.extra.session.user.id }),
  },
  'orgs.invitations.create': {
    expect: managers,
    run: (t, f) => t.orgs.invitations.create.mutate({ orgId: f.org.id, email: uniqueEmail('m'), role: 'member' }),
  },
  'orgs.invitations.list': { expect: managers, run: (t, f) => t.orgs.invitations.list.query({ orgId: f.org.id }) },
  'orgs.invitations.revoke': {
    expect: managers,
    run: (t, f) => t.orgs.invitations.revoke.mutate({ orgId: f.org.id, id: f.invitationId }),
  },
  // Anyone signed in accepts an invitation sent to their address; a member's answer is the organization.
  'orgs.invitations.accept': {
    expect: anyAccount,
    run: async (t, _f, caller) => {
      const host = caller === 'owner' ? accounts.admin : accounts.owner;
      const org = await host.client.trpc.orgs.create.mutate({ name: 'Host', slug: slug() });
      const email = caller === 'signedOut' ? uniqueEmail('nobody') : accounts[caller].email;
      const { token } = await inviteToOrg(server, host, org, email);
      return t.orgs.invitations.accept.mutate({ token });
    },
  },
  'orgs.log': { expect: managers, run: (t, f) => t.orgs.log.query({ orgId: f.org.id }) },
  // API.md §15: single sign-on is the owners' (sso:manage).
  'orgs.sso.list': { expect: ownersOnly, run: (t, f) => t.orgs.sso.list.query({ orgId: f.org.id }) },
  'orgs.sso.create': { expect: ownersOnly, run: (t, f) => createConnection(t, f) },
  'orgs.sso.update': {
    expect: ownersOnly,
    run: async (t, f) => {
      const { id } = await createConnection(accounts.owner.client.trpc, f);
      return t.orgs.sso.update.mutate({ orgId: f.org.id, connectionId: id, name: 'Renamed' });
    },
  },
  'orgs.sso.delete': {
    expect: ownersOnly,
    run: async (t, f) => {
      const { id } = await createConnection(accounts.owner.client.trpc, f);
      return t.orgs.sso.delete.mutate({ orgId: f.org.id, connectionId: id });
    },
  },
  'orgs.sso.domains': { expect: ownersOnly, run: (t, f) => t.orgs.sso.domains.query({ orgId: f.org.id }) },
  'orgs.sso.domainChallenge': {
    expect: ownersOnly,
    run: (t, f) => t.orgs.sso.domainChallenge.mutate({ orgId: f.org.id, domain: domain() }),
  },
  // The owner gets past the permission to the lookup, which finds no challenge for the domain.
  'orgs.sso.verifyDomain': {
    expect: { ...ownersOnly, owner: 'INVALID_INPUT' },
    run: (t, f) => t.orgs.sso.verifyDomain.mutate({ orgId: f.org.id, domain: domain() }),
  },
  'orgs.sso.removeDomain': {
    expect: ownersOnly,
    run: async (t, f) => {
      const claimed = domain();
      await accounts.owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: f.org.id, domain: claimed });
      return t.orgs.sso.removeDomain.mutate({ orgId: f.org.id, domain: claimed });
    },
  },
  // A system admin's, whatever the caller's role in the organization.
  'admin.orgs.verifyDomain': {
    expect: {
      owner: 'FORBIDDEN',
      admin: 'FORBIDDEN',
      member: 'FORBIDDEN',
      nonMember: 'FORBIDDEN',
      signedOut: 'UNAUTHENTICATED',
    },
    run: (t, f) => t.admin.orgs.verifyDomain.mutate({ orgId: f.org.id, domain: domain() }),
  },
  'notices.list': { expect: everyMember(), run: (t, f) => t.notices.list.query({ orgId: f.org.id }) },
  'notices.post': {
    expect: everyMember(),
    run: (t, f) => t.notices.post.mutate({ orgId: f.org.id, title: 'Hello', body: 'Welcome.' }),
  },
  // The owner's notice: deleted by its author or members:manage.
  'notices.delete': {
    expect: managers,
    destructive: true,
    run: (t, f) => t.notices.delete.mutate({ orgId: f.org.id, noticeId: f.noticeId }),
  },
};

async function fixture(): Promise<Fixture> {
  const org = await accounts.owner.client.trpc.orgs.create.mutate({ name: `Matrix ${counter}`, slug: slug() });
  const extra = await signUpAndVerify(server, { name: 'Extra Member' });
  await joinOrg(server, accounts.owner, org, accounts.admin, 'admin');
  await joinOrg(server, accounts.owner, org, accounts.member, 'member');
  await joinOrg(server, accounts.owner, org, extra, 'member');
  const { id: invitationId } = await inviteToOrg(server, accounts.owner, org, uniqueEmail('pending'));
  const notice = await accounts.owner.client.trpc.notices.post.mutate({
    orgId: org.id,
    title: 'Rules',
    body: 'Be kind.',
  });
  return { org, invitationId, noticeId: notice.id, extra };
}

async function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return 'ok';
  } catch {
    const error = await trpcError(call);
    return error.data?.reason as Outcome;
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const [owner, admin, member, nonMember] = await Promise.all(
    ['Olga Owner', 'Adam Admin', 'Mia Member', 'Nora Nonmember'].map((name) => signUpAndVerify(server, { name })),
  );
  Object.assign(accounts, { owner: owner!, admin: admin!, member: member!, nonMember: nonMember! });
});
afterAll(async () => {
  await server?.close();
});

/** Whether the procedure's input has an `orgId` (in any branch of a union). */
function takesOrgId(inputs: unknown[]): boolean {
  const shapes = (schema: unknown): object[] => {
    const s = schema as { shape?: object; options?: unknown[] };
    return s.shape ? [s.shape] : (s.options ?? []).flatMap(shapes);
  };
  return inputs.flatMap(shapes).some((shape) => 'orgId' in shape);
}

test('every organization procedure has a row in the matrix, and every row is a procedure', () => {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>;
  const scoped = Object.entries(procedures)
    .filter(([path, procedure]) => path.startsWith('orgs.') || takesOrgId(procedure._def.inputs))
    .map(([path]) => path);
  expect(scoped.sort()).toEqual(Object.keys(MATRIX).sort());
});

test.each(Object.entries(MATRIX))('%s answers each kind of caller as API.md §14 says', async (_path, row) => {
  const shared = await fixture();
  const seen = {} as Record<Caller, Outcome>;
  for (const caller of CALLERS) {
    const client = caller === 'signedOut' ? server.client() : accounts[caller].client;
    const fresh = row.destructive && row.expect[caller] === 'ok';
    seen[caller] = await outcomeOf(row.run(client.trpc, fresh ? await fixture() : shared, caller));
  }
  expect(seen).toEqual(row.expect);
});

import { z } from 'zod';

export const ROLES = ['user', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const PERMISSIONS = ['users:read', 'users:manage', 'invitations:manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do. The server enforces it; the SPA reads it only to decide what to show. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  user: [],
  admin: PERMISSIONS,
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

// Roles inside an organization (API.md §14), apart from the system roles above.
export const ORG_ROLES = ['owner', 'admin', 'member'] as const;
export const OrgRoleSchema = z.enum(ORG_ROLES);
export type OrgRole = z.infer<typeof OrgRoleSchema>;

export const ORG_PERMISSIONS = [
  'org:update',
  'org:delete',
  'members:read',
  'members:invite',
  'members:manage',
  'owners:manage',
  'sso:manage',
] as const;
export type OrgPermission = (typeof ORG_PERMISSIONS)[number];

const OWNER_ONLY: readonly OrgPermission[] = ['org:delete', 'owners:manage', 'sso:manage'];

/** What each organization role may do; the server checks it on every call, the SPA only reads it. */
export const ORG_ROLE_PERMISSIONS: Record<OrgRole, readonly OrgPermission[]> = {
  owner: ORG_PERMISSIONS,
  admin: ORG_PERMISSIONS.filter((permission) => !OWNER_ONLY.includes(permission)),
  member: ['members:read'],
};

export function orgCan(role: OrgRole, permission: OrgPermission): boolean {
  return ORG_ROLE_PERMISSIONS[role].includes(permission);
}

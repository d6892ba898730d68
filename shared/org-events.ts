/** Every event of an organization's log (API.md §14), with how the log page reads it. */
export const ORG_EVENT_LABELS = {
  'org.created': 'Organization created',
  'org.updated': 'Organization renamed',
  'member.invited': 'Invitation sent',
  'member.invitation_revoked': 'Invitation revoked',
  'member.joined': 'Member joined',
  'member.role_changed': 'Role changed',
  'member.removed': 'Member removed',
  'member.left': 'Member left',
  'sso.connection_created': 'SSO connection added',
  'sso.connection_updated': 'SSO connection changed',
  'sso.connection_deleted': 'SSO connection removed',
  'sso.domain_verified': 'Domain verified',
  'sso.domain_removed': 'Domain removed',
} as const;

export type OrgEventType = keyof typeof ORG_EVENT_LABELS;
export const ORG_EVENT_TYPES = Object.keys(ORG_EVENT_LABELS) as [OrgEventType, ...OrgEventType[]];

export function describeOrgEvent(type: string): string {
  return (ORG_EVENT_LABELS as Record<string, string>)[type] ?? type;
}

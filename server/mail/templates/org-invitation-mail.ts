import type { OrgRole } from '#shared/roles.ts';
import type { MailContent } from '../mail-message.ts';
import { renderMail } from './layout.ts';

const ROLE_PHRASE: Record<OrgRole, string> = { owner: 'an owner', admin: 'an admin', member: 'a member' };

export function orgInvitationMail(link: string, inviterName: string, orgName: string, role: OrgRole): MailContent {
  return renderMail({
    subject: `${inviterName} invited you to ${orgName}`,
    heading: `Join ${orgName}`,
    paragraphs: [
      `${inviterName} invited you to join ${orgName} as ${ROLE_PHRASE[role]}.`,
      'Open the link to accept: with your account if you have one, or by choosing a name and a password. It works once and expires in 7 days.',
    ],
    action: { label: 'Accept the invitation', url: link },
    footnote: 'If you were not expecting this, ignore this mail: nothing happens without you.',
  });
}

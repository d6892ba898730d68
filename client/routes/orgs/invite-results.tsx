import { useEffect, useRef } from 'react';
import type { OrgInvitationBatchResult, OrgInvitationOutcome } from '#shared/schemas/orgs.ts';
import { useDateFormatter } from '#client/lib/preferences.ts';

const OUTCOME: Record<OrgInvitationOutcome['outcome'], { label: string; tone: string }> = {
  invited: { label: 'Invited', tone: ' badge--success' },
  already_member: { label: 'Already a member', tone: '' },
  already_invited: { label: 'Already invited', tone: '' },
  invalid: { label: 'Not a valid address', tone: ' badge--danger' },
  over_limit: { label: 'Over the daily limit', tone: ' badge--warning' },
};

/** One row per address; the heading takes focus so that a screen reader reads the summary first. */
export function InviteResults({ result }: { result: OrgInvitationBatchResult }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const formatDate = useDateFormatter();
  useEffect(() => headingRef.current?.focus(), [result]);
  const count = (outcome: OrgInvitationOutcome['outcome']) =>
    result.results.filter((item) => item.outcome === outcome).length;
  const summary = (Object.keys(OUTCOME) as OrgInvitationOutcome['outcome'][])
    .map((outcome) => [outcome, count(outcome)] as const)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${OUTCOME[outcome].label.toLowerCase()}: ${n}`)
    .join(', ');
  const retryAt =
    result.retryAfterSeconds !== null
      ? formatDate(new Date(Date.now() + result.retryAfterSeconds * 1000).toISOString(), 'dateTime')
      : null;
  return (
    <div className="stack">
      <h3 ref={headingRef} tabIndex={-1}>
        Results
      </h3>
      <p className="field__hint">{summary.charAt(0).toUpperCase() + summary.slice(1)}.</p>
      {retryAt && (
        <p className="field__hint">
          The organization has sent its invitations for today. The others can be invited after {retryAt}.
        </p>
      )}
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">What happened to each address</caption>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {result.results.map((item, index) => (
              <tr key={`${index}-${item.email}`}>
                <td className="table__email">{item.email}</td>
                <td>
                  <span className={`badge${OUTCOME[item.outcome].tone}`}>{OUTCOME[item.outcome].label}</span>
                  {item.outcome === 'over_limit' && retryAt && (
                    <span className="field__hint"> Try again after {retryAt}.</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

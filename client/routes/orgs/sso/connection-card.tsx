import { useState } from 'react';
import type { SsoConnection } from '#shared/schemas/sso.ts';
import { CopyableValues, type CopyableValue } from '#client/components/copyable-values.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Switch } from '#client/components/ui/switch.tsx';
import { SaveStatus } from '#client/components/save-status.tsx';
import { ORG_ROLE_LABEL } from '#client/lib/orgs.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useLocalCopy } from '#client/lib/use-local-copy.ts';
import { useOrg } from '#client/routes/orgs/org-context.ts';
import { PROTOCOL_LABEL } from './connection-form.tsx';
import { EditConnection } from './edit-connection.tsx';

/** What the IdP's administrator needs from us to set the connection up there. */
function serviceProviderValues(connection: SsoConnection): CopyableValue[] {
  if (connection.saml)
    return [
      { label: 'SP metadata URL', value: connection.saml.metadataUrl },
      { label: 'ACS URL', value: connection.saml.acsUrl },
      { label: 'SP entity ID', value: connection.saml.spEntityId },
    ];
  if (connection.oidc) return [{ label: 'Redirect URL', value: connection.oidc.redirectUrl }];
  return [];
}

type Props = { connection: SsoConnection; onDelete: (connection: SsoConnection) => void };

/** One connection: what it is, what to give the IdP, SSO required, test, edit and delete. */
export function ConnectionCard({ connection, onDelete }: Props) {
  const { org } = useOrg();
  const [editing, setEditing] = useState(false);
  const utils = trpc.useUtils();
  const update = trpc.orgs.sso.update.useMutation({
    onSuccess: (updated) =>
      utils.orgs.sso.list.setData({ orgId: org.id }, (list) =>
        list?.map((item) => (item.id === updated.id ? updated : item)),
      ),
  });
  // The switch moves at once; it follows the server's answer (back, when saving fails).
  const [required, setRequired] = useLocalCopy(connection.required);
  const titleId = `sso-${connection.id}-title`;
  return (
    <li className="card stack sso-connection" aria-labelledby={titleId}>
      <div className="sso-connection__header">
        <h3 id={titleId} className="item-list__title">
          {connection.name}
        </h3>
        <span className="badge">{PROTOCOL_LABEL[connection.protocol]}</span>
      </div>
      {editing ? (
        <EditConnection connection={connection} onDone={() => setEditing(false)} />
      ) : (
        <>
          <dl className="details sso-connection__facts">
            <div>
              <dt>Domains</dt>
              <dd>{connection.domains.length ? connection.domains.join(', ') : 'None yet: add one to use it.'}</dd>
            </div>
            <div>
              <dt>Role for new members</dt>
              <dd>{ORG_ROLE_LABEL[connection.defaultRole]}</dd>
            </div>
            {connection.saml && (
              <div>
                <dt>Identity provider</dt>
                <dd>{connection.saml.idpEntityId}</dd>
              </div>
            )}
            {connection.oidc && (
              <div>
                <dt>Issuer</dt>
                <dd>{connection.oidc.issuer}</dd>
              </div>
            )}
          </dl>
          <h4 className="subheading">To give your identity provider</h4>
          <CopyableValues values={serviceProviderValues(connection)} />
          <div>
            <Switch
              label="SSO required"
              checked={required}
              disabled={update.isPending}
              description={`Members with an address at a verified domain must sign in through ${connection.name}. Owners keep their password as a way back in.`}
              onChange={(next) => {
                setRequired(next);
                update.mutate(
                  { orgId: org.id, connectionId: connection.id, required: next },
                  { onError: () => setRequired(connection.required) },
                );
              }}
            />
            <SaveStatus mutation={update} />
          </div>
          <div className="row">
            {/* A full page load: the server sends the browser on to the IdP. */}
            <a className="button button--secondary button--small" href={connection.startUrl}>
              Test sign-in<span className="visually-hidden">: {connection.name}</span>
            </a>
            <Button
              variant="secondary"
              size="small"
              onClick={() => setEditing(true)}
              aria-label={`Edit: ${connection.name}`}
            >
              Edit
            </Button>
            <Button
              variant="danger"
              size="small"
              onClick={() => onDelete(connection)}
              aria-label={`Delete: ${connection.name}`}
            >
              Delete
            </Button>
          </div>
          <p className="field__hint">
            Test sign-in signs this browser in as whoever the identity provider names: use a private window to stay
            signed in here.
          </p>
        </>
      )}
    </li>
  );
}

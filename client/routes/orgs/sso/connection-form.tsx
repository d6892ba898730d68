import { useState, type ReactNode } from 'react';
import type { FieldErrors } from '#shared/errors.ts';
import type { SsoConnection, SsoProtocol } from '#shared/schemas/sso.ts';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { ChoiceGroup, type Choice } from '#client/components/ui/choice-group.tsx';
import { Field, TextAreaField } from '#client/components/ui/field.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { focusFirstInvalid } from '#client/lib/forms.ts';
import { RoleSelect } from '#client/routes/orgs/role-select.tsx';
import { useOrg } from '#client/routes/orgs/org-context.ts';
import type { ConfigMode } from './connection-input.ts';

export const PROTOCOL_LABEL: Record<SsoProtocol, string> = { oidc: 'OpenID Connect', saml: 'SAML 2.0' };

const PROTOCOLS: Choice<SsoProtocol>[] = [
  { value: 'oidc', label: PROTOCOL_LABEL.oidc, hint: 'Okta, Microsoft Entra ID, Google Workspace, Auth0…' },
  { value: 'saml', label: PROTOCOL_LABEL.saml, hint: 'Any SAML identity provider (ADFS, OneLogin, Okta…)' },
];

const SAML_MODES: Choice<ConfigMode>[] = [
  { value: 'saml-metadata', label: 'Paste metadata XML', hint: 'The IdP’s metadata document' },
  { value: 'saml-fields', label: 'Enter the values', hint: 'Entity ID, sign-in URL and certificate' },
];

export type SubmitResult = (
  form: HTMLFormElement,
  protocol: SsoProtocol,
  mode: ConfigMode,
) => Promise<FieldErrors | null>;

type Props = {
  /** The connection being edited; none for a new one. */
  connection?: SsoConnection;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  /** Checks and sends the form; resolves with the errors to show by field, or null when it is saved. */
  onSubmit: SubmitResult;
  children?: ReactNode;
};

/** The fields of an SSO connection (API.md §15): who the IdP is, which domains it serves, and the role it gives. */
export function ConnectionForm({ connection, submitLabel, busyLabel, busy, onSubmit, children }: Props) {
  const { org } = useOrg();
  const [protocol, setProtocol] = useState<SsoProtocol>(connection?.protocol ?? 'saml');
  const [samlMode, setSamlMode] = useState<ConfigMode>(connection ? 'keep' : 'saml-metadata');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const mode: ConfigMode = protocol === 'oidc' ? 'oidc' : samlMode;
  const editing = connection !== undefined;
  const clear = (name: string) =>
    setErrors((current) => {
      if (!current[name]) return current;
      const { [name]: _removed, ...rest } = current;
      return rest;
    });
  // The server names a problem of the IdP's settings as a whole `config`: it shows under their first field.
  const field = (name: string) => {
    const own = errors[name] ?? [];
    const shown = name === CONFIG_FIRST_FIELD[mode][0] ? [...own, ...(errors.config ?? [])] : own;
    return { name, errors: shown.length ? shown : undefined, onInput: () => clear(name) };
  };

  return (
    <form
      noValidate
      className="stack sso-form"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        setFormError(null);
        onSubmit(form, protocol, mode).then(
          (fieldErrors) => {
            setErrors(fieldErrors ?? {});
            if (fieldErrors) focusFirstInvalid(form, Object.keys(fieldErrors));
          },
          (error: unknown) => {
            const problem = toProblem(error);
            const named = Object.keys(problem.fieldErrors);
            setErrors(problem.fieldErrors);
            setFormError(named.length ? null : problem.message);
            focusFirstInvalid(form, named.includes('config') ? CONFIG_FIRST_FIELD[mode] : named);
          },
        );
      }}
    >
      {formError && <Alert tone="error">{formError}</Alert>}
      <input type="hidden" name="orgId" value={org.id} />
      <Field
        label="Connection name"
        autoComplete="off"
        defaultValue={connection?.name}
        hint="Members see it on the sign-in page: “Continue with SSO (Okta)”."
        {...field('name')}
      />
      {editing ? (
        <p className="field__hint">Protocol: {PROTOCOL_LABEL[connection.protocol]} (it cannot change).</p>
      ) : (
        <ChoiceGroup legend="Protocol" options={PROTOCOLS} value={protocol} onChange={setProtocol} />
      )}
      {protocol === 'oidc' ? (
        <>
          <Field
            label="Issuer URL"
            type="url"
            autoComplete="off"
            defaultValue={connection?.oidc?.issuer}
            hint="Where the IdP’s /.well-known/openid-configuration lives, like https://acme.okta.com."
            {...field('issuer')}
          />
          <Field
            label="Client ID"
            autoComplete="off"
            defaultValue={connection?.oidc?.clientId}
            {...field('clientId')}
          />
          <Field
            label="Client secret"
            type="password"
            autoComplete="off"
            optional={editing}
            hint={
              editing
                ? 'Leave it empty to keep the current secret. It is never shown again.'
                : 'Kept sealed; never shown again.'
            }
            {...field('clientSecret')}
          />
        </>
      ) : (
        <>
          <ChoiceGroup
            legend="Identity provider settings"
            options={editing ? [{ value: 'keep', label: 'Keep the current ones' }, ...SAML_MODES] : SAML_MODES}
            value={samlMode}
            onChange={setSamlMode}
          />
          {samlMode === 'saml-metadata' && (
            <TextAreaField
              label="IdP metadata XML"
              rows={6}
              spellCheck={false}
              hint="Download it from your IdP (often called “Federation metadata”) and paste all of it."
              {...field('metadataXml')}
            />
          )}
          {samlMode === 'saml-fields' && (
            <>
              <Field
                label="IdP entity ID"
                autoComplete="off"
                defaultValue={connection?.saml?.idpEntityId}
                {...field('entityId')}
              />
              <Field
                label="IdP sign-in URL"
                type="url"
                autoComplete="off"
                defaultValue={connection?.saml?.ssoUrl}
                hint="The single sign-on URL for the HTTP-Redirect binding."
                {...field('ssoUrl')}
              />
              <TextAreaField
                label="IdP signing certificate"
                rows={6}
                spellCheck={false}
                hint="PEM (-----BEGIN CERTIFICATE-----) or base64."
                {...field('certificate')}
              />
            </>
          )}
        </>
      )}
      {errors.config && mode === 'keep' && (
        <p className="field__error" role="alert">
          {errors.config.join(' ')}
        </p>
      )}
      <TextAreaField
        label="Email domains"
        rows={2}
        spellCheck={false}
        defaultValue={connection?.domains.join('\n')}
        hint="One per line or separated by commas, like example.com. Each works once its domain is verified below."
        {...field('domains')}
      />
      <RoleSelect
        label="Role for new members"
        name="defaultRole"
        roles={['member', 'admin']}
        defaultValue={connection?.defaultRole ?? 'member'}
      />
      <div className="row">
        <Button type="submit" busy={busy} busyLabel={busyLabel}>
          {submitLabel}
        </Button>
        {children}
      </div>
    </form>
  );
}

const CONFIG_FIRST_FIELD: Record<ConfigMode, string[]> = {
  oidc: ['issuer'],
  'saml-metadata': ['metadataXml'],
  'saml-fields': ['entityId'],
  keep: [],
};

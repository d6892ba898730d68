import type { z } from 'zod';
import type { FieldErrors } from '#shared/errors.ts';
import {
  OidcConfigInputSchema,
  SamlFieldsConfigSchema,
  SamlMetadataConfigSchema,
  SsoConnectionCreateInputSchema,
  SsoConnectionUpdateInputSchema,
  type SsoConfigInput,
  type SsoProtocol,
} from '#shared/schemas/sso.ts';

/** How the identity provider's side is given: OpenID Connect, SAML metadata or values, or (editing) left as it is. */
export type ConfigMode = 'oidc' | 'saml-metadata' | 'saml-fields' | 'keep';

const CONFIG_FIELDS: Record<Exclude<ConfigMode, 'keep'>, string[]> = {
  oidc: ['issuer', 'clientId', 'clientSecret'],
  'saml-metadata': ['metadataXml'],
  'saml-fields': ['entityId', 'ssoUrl', 'certificate'],
};

/** Domains as people paste them: one per line, or separated by commas, semicolons or spaces. */
export const splitDomains = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((domain) => domain.trim())
    .filter(Boolean);

type Parsed<T> = { ok: true; input: T } | { ok: false; fieldErrors: FieldErrors };

/** Each issue under the form field it is about; a domain's issue names the domain. */
function fieldErrorsOf(error: z.ZodError, domains: string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const [field, index] = issue.path;
    const key = String(field ?? 'form');
    const message =
      key === 'domains' && typeof index === 'number' && domains[index] !== undefined
        ? `${domains[index]}: ${issue.message}`
        : issue.message;
    const list = (errors[key] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  return errors;
}

function readConfig(values: Record<string, string>, mode: ConfigMode, editing: boolean): Parsed<SsoConfigInput | null> {
  if (mode === 'keep') return { ok: true, input: null };
  const raw = Object.fromEntries(CONFIG_FIELDS[mode].map((field) => [field, values[field] ?? '']));
  if (mode === 'oidc') {
    // Editing, an empty secret keeps the one the server has sealed.
    if (editing && raw.clientSecret === '') delete raw.clientSecret;
    const schema = editing ? OidcConfigInputSchema.partial({ clientSecret: true }) : OidcConfigInputSchema;
    const result = schema.safeParse(raw);
    return result.success
      ? { ok: true, input: result.data }
      : { ok: false, fieldErrors: fieldErrorsOf(result.error, []) };
  }
  const result = (mode === 'saml-metadata' ? SamlMetadataConfigSchema : SamlFieldsConfigSchema).safeParse(raw);
  return result.success
    ? { ok: true, input: result.data }
    : { ok: false, fieldErrors: fieldErrorsOf(result.error, []) };
}

const valuesOf = (form: HTMLFormElement) =>
  Object.fromEntries(
    [...new FormData(form)].filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );

/**
 * The form's fields as `schema` wants them (the common ones, and `extra` given the IdP settings read),
 * the IdP settings checked with their own schema so that each error stands under its own field.
 */
function readForm<Schema extends z.ZodType<object>>(
  form: HTMLFormElement,
  mode: ConfigMode,
  editing: boolean,
  schema: Schema,
  extra: (config: SsoConfigInput | null) => object,
): Parsed<z.output<Schema> & { orgId: string }> {
  const values = valuesOf(form);
  const domains = splitDomains(values.domains ?? '');
  const config = readConfig(values, mode, editing);
  const result = schema.safeParse({
    name: values.name ?? '',
    domains,
    defaultRole: values.defaultRole,
    ...extra(config.ok ? config.input : null),
  });
  if (result.success && config.ok) return { ok: true, input: { ...result.data, orgId: values.orgId ?? '' } };
  const fieldErrors = {
    ...(result.success ? {} : fieldErrorsOf(result.error, domains)),
    ...(config.ok ? {} : config.fieldErrors),
  };
  // A missing or refused config is already said under its fields.
  if (!config.ok) delete fieldErrors.config;
  return { ok: false, fieldErrors };
}

/** The new connection the form describes, checked with the server's own schemas. */
export const readNewConnection = (form: HTMLFormElement, protocol: SsoProtocol, mode: ConfigMode) =>
  readForm(form, mode, false, SsoConnectionCreateInputSchema, (config) => ({ protocol, config: config ?? undefined }));

/** The changes to an existing connection; its protocol stays, and IdP settings left as they are are not sent. */
export const readConnectionChanges = (form: HTMLFormElement, connectionId: string, mode: ConfigMode) =>
  readForm(form, mode, true, SsoConnectionUpdateInputSchema, (config) => ({
    connectionId,
    ...(config ? { config } : {}),
  }));

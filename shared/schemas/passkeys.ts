import { z } from 'zod';
import { CurrentPasswordSchema } from './auth.ts';
import { IdSchema, InstantSchema, TokenSchema, maxCodePoints } from './common.ts';

/** A passkey as its owner sees it (API.md §13): never its key material. */
export const PasskeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: InstantSchema,
  lastUsedAt: InstantSchema.nullable(),
  /** Synced to the member's other devices by their password manager or platform. */
  backedUp: z.boolean(),
});
export type Passkey = z.infer<typeof PasskeySchema>;

export const PasskeyNameSchema = z
  .string()
  .transform((value) => value.trim().normalize('NFC'))
  .pipe(
    z
      .string()
      .min(1, 'Give the passkey a name.')
      .refine(maxCodePoints(60), 'Use at most 60 characters.')
      .refine(
        (value) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(value),
        'Remove line breaks and other control characters.',
      ),
  );

// What a browser's WebAuthn ceremony answers (WebAuthn Level 3 JSON forms), bounded: the library
// on the server checks everything inside.
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'Not base64url.');
const ClientExtensionResultsSchema = z.record(z.string(), z.unknown()).default({});

/** What every credential answer carries around its `response`. */
const credentialAnswer = <T extends z.ZodRawShape>(response: T) =>
  z.object({
    id: base64url(1400),
    rawId: base64url(1400),
    type: z.literal('public-key'),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: ClientExtensionResultsSchema,
    response: z.object({ clientDataJSON: base64url(8192), ...response }),
  });

export const RegistrationResponseSchema = credentialAnswer({
  attestationObject: base64url(65536),
  transports: z.array(z.string().max(32)).max(10).optional(),
  authenticatorData: base64url(65536).optional(),
  publicKey: base64url(8192).optional(),
  publicKeyAlgorithm: z.number().int().optional(),
});

export const AuthenticationResponseSchema = credentialAnswer({
  authenticatorData: base64url(65536),
  signature: base64url(8192),
  userHandle: base64url(1400).optional(),
});

export const RegistrationOptionsInputSchema = z.object({ password: CurrentPasswordSchema.optional() }).default({});
export type RegistrationOptionsInput = z.infer<typeof RegistrationOptionsInputSchema>;

export const RegisterPasskeyInputSchema = z.object({
  response: RegistrationResponseSchema,
  name: PasskeyNameSchema.optional(),
});
export type RegisterPasskeyInput = z.infer<typeof RegisterPasskeyInputSchema>;

export const RenamePasskeyInputSchema = z.object({ id: IdSchema, name: PasskeyNameSchema });
export type RenamePasskeyInput = z.infer<typeof RenamePasskeyInputSchema>;

export const DeletePasskeyInputSchema = z.object({ id: IdSchema });

export const PasskeySignInInputSchema = z.object({ challengeId: TokenSchema, response: AuthenticationResponseSchema });
export type PasskeySignInInput = z.infer<typeof PasskeySignInInputSchema>;

// The WebAuthn options the browser hands to navigator.credentials, in WebAuthn Level 3's JSON form
// (base64url strings for the binary fields), as far as the server sends them.
const UserVerificationSchema = z.enum(['discouraged', 'preferred', 'required']);
const HintsSchema = z.array(z.enum(['hybrid', 'security-key', 'client-device']));
const CredentialDescriptorSchema = z.object({
  id: z.string(),
  type: z.string(),
  transports: z.array(z.string()).optional(),
});
const ExtensionInputsSchema = z.object({
  appid: z.string().optional(),
  credProps: z.boolean().optional(),
  hmacCreateSecret: z.boolean().optional(),
  minPinLength: z.boolean().optional(),
});

export const RegistrationOptionsSchema = z.object({
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  challenge: z.string(),
  pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.literal('public-key') })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(CredentialDescriptorSchema).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.enum(['cross-platform', 'platform']).optional(),
      requireResidentKey: z.boolean().optional(),
      residentKey: UserVerificationSchema.optional(),
      userVerification: UserVerificationSchema.optional(),
    })
    .optional(),
  hints: HintsSchema.optional(),
  attestation: z.enum(['direct', 'enterprise', 'indirect', 'none']).optional(),
  attestationFormats: z
    .array(z.enum(['fido-u2f', 'packed', 'android-safetynet', 'android-key', 'tpm', 'apple', 'none']))
    .optional(),
  extensions: ExtensionInputsSchema.optional(),
});

export const AuthenticationOptionsSchema = z.object({
  challengeId: z.string(),
  options: z.object({
    challenge: z.string(),
    timeout: z.number().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(CredentialDescriptorSchema).optional(),
    userVerification: UserVerificationSchema.optional(),
    hints: HintsSchema.optional(),
    extensions: ExtensionInputsSchema.optional(),
  }),
});

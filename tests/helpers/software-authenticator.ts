import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// A passkey provider and the browser in front of it, written from WebAuthn Level 3 (§6.1 authenticator
// data, §6.5 attestation, §5.8.1 client data, §6.5.3 "none" attestation), RFC 8949 (CBOR) and
// RFC 9053 (COSE keys) with node:crypto only: real key pairs, real signatures, nothing mocked, and no
// code shared with the server's WebAuthn library, so the tests can catch its callers' mistakes.

/** COSE algorithm identifier of ECDSA with P-256 and SHA-256 (RFC 9053 §2.1). */
export const ES256 = -7;

/** Authenticator data flags (WebAuthn §6.1). */
export const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

// ---------------------------------------------------------------------------------------------------
// CBOR (RFC 8949), only what WebAuthn needs: unsigned and negative integers, byte and text strings,
// arrays and maps (a Map keeps integer keys and their order, as CTAP2's canonical form wants).

export type CborValue =
  number | bigint | string | Uint8Array | boolean | null | CborValue[] | Map<CborValue, CborValue>;

function cborHead(major: number, length: number | bigint): Buffer {
  const value = BigInt(length);
  if (value < 24n) return Buffer.from([(major << 5) | Number(value)]);
  if (value < 0x100n) return Buffer.from([(major << 5) | 24, Number(value)]);
  if (value < 0x10000n) {
    const head = Buffer.alloc(3);
    head[0] = (major << 5) | 25;
    head.writeUInt16BE(Number(value), 1);
    return head;
  }
  if (value < 0x100000000n) {
    const head = Buffer.alloc(5);
    head[0] = (major << 5) | 26;
    head.writeUInt32BE(Number(value), 1);
    return head;
  }
  const head = Buffer.alloc(9);
  head[0] = (major << 5) | 27;
  head.writeBigUInt64BE(value, 1);
  return head;
}

/** Encodes a value as CBOR (definite lengths only). */
export function cborEncode(value: CborValue): Buffer {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    const integer = BigInt(value);
    return integer >= 0n ? cborHead(0, integer) : cborHead(1, -1n - integer);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (value === false) return Buffer.from([0xf4]);
  if (value === true) return Buffer.from([0xf5]);
  if (value === null) return Buffer.from([0xf6]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(cborEncode)]);
  const parts = [cborHead(5, value.size)];
  for (const [key, entry] of value) parts.push(cborEncode(key), cborEncode(entry));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------------
// The WebAuthn Level 3 JSON forms (§5.1.8, §5.4, §5.5), as much of them as a browser reads or writes
// here: what the server's procedures answer fits them, and what they return fits its input schemas.

/** PublicKeyCredentialCreationOptionsJSON. */
export type CreationOptionsJSON = {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName?: string };
  challenge: string;
  pubKeyCredParams: { type: string; alg: number }[];
  excludeCredentials?: { id: string; type?: string }[];
  extensions?: { credProps?: boolean };
};

/** PublicKeyCredentialRequestOptionsJSON. */
export type RequestOptionsJSON = {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string; type?: string }[];
};

/** RegistrationResponseJSON. */
export type RegistrationResponseJSON = {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment: 'platform' | 'cross-platform';
  clientExtensionResults: Record<string, unknown>;
  response: {
    clientDataJSON: string;
    attestationObject: string;
    transports: string[];
    authenticatorData: string;
    publicKey: string;
    publicKeyAlgorithm: number;
  };
};

/** AuthenticationResponseJSON. */
export type AuthenticationResponseJSON = {
  id: string;
  rawId: string;
  type: 'public-key';
  authenticatorAttachment: 'platform' | 'cross-platform';
  clientExtensionResults: Record<string, unknown>;
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
};

export type AuthenticatorFlags = {
  /** User present (default true). */
  up?: boolean;
  /** User verified: a PIN or biometric (default true). */
  uv?: boolean;
  /** Backup eligible: a synced passkey (default: the authenticator's setting). */
  be?: boolean;
  /** Backed up (default: the authenticator's setting). */
  bs?: boolean;
};

/** Ways to tamper with one ceremony's answer, as a phishing page, a cloned key or a broken client would. */
export type CeremonyOverrides = {
  /** The origin written in clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** The RP id whose SHA-256 starts the authenticator data (default: the authenticator's RP id). */
  rpId?: string;
  flags?: AuthenticatorFlags;
  /** The signature counter to write (default: registration 0, assertions the stored one plus the step). */
  counter?: number;
  /** The challenge written in clientDataJSON (default: the options' challenge). */
  challenge?: string;
  /** clientDataJSON's type (default: 'webauthn.create' for registration, 'webauthn.get' for assertions). */
  type?: string;
  crossOrigin?: boolean;
};

export type RegisterOverrides = CeremonyOverrides & {
  /** Registers even when the options exclude a credential this authenticator holds (a browser would refuse). */
  ignoreExcludeCredentials?: boolean;
};

export type AuthenticateOverrides = CeremonyOverrides & {
  /** Which remembered credential answers (default: the only one allowed, or the only one for the RP id). */
  credentialId?: string;
  /** Signs with this private key instead of the credential's: a forged assertion. */
  signWith?: KeyObject;
  /** The userHandle to send: a string instead of the credential's, null for none. */
  userHandle?: string | null;
  /** Keeps the stored counter as it was (the answer still carries the counter it was made with). */
  keepCounter?: boolean;
};

export type StoredCredential = {
  /** base64url, as the server sees it. */
  id: string;
  rpId: string;
  /** base64url user.id of the registration options. */
  userHandle: string;
  userName: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  counter: number;
};

export type SoftwareAuthenticatorOptions = {
  /** The page's origin, as a browser writes it in clientDataJSON. */
  origin: string;
  /** The relying party id the browser accepts for that origin (its host name). */
  rpId: string;
  /** Synced passkeys (BE and BS set), as iCloud Keychain or Google Password Manager make. Default false. */
  backedUp?: boolean;
  /** What each assertion adds to the signature counter: 1 (default) as security keys do, 0 as synced passkeys do. */
  counterStep?: number;
  /** The AAGUID in attested credential data (default: all zeros, as "none" attestation allows). */
  aaguid?: Uint8Array;
};

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** A fresh ES256 key pair, e.g. to forge a signature with a key the server never saw. */
export function newP256KeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The COSE_Key of an ES256 public key (RFC 9053 §7.1.1): {1: 2 (EC2), 3: -7, -1: 1 (P-256), -2: x, -3: y}. */
export function coseKeyOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('not a P-256 key');
  return cborEncode(
    new Map<CborValue, CborValue>([
      [1, 2],
      [3, ES256],
      [-1, 1],
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ]),
  );
}

function flagsByte(flags: Required<AuthenticatorFlags>, extra: number): number {
  return (
    (flags.up ? FLAG.UP : 0) | (flags.uv ? FLAG.UV : 0) | (flags.be ? FLAG.BE : 0) | (flags.bs ? FLAG.BS : 0) | extra
  );
}

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter >>> 0);
  return bytes;
}

/**
 * A software passkey provider behind a browser: makes discoverable ES256 credentials with "none"
 * attestation, remembers them (private key, user handle, signature counter) and answers assertions.
 */
export class SoftwareAuthenticator {
  readonly origin: string;
  readonly rpId: string;
  readonly backedUp: boolean;
  counterStep: number;
  private readonly aaguid: Buffer;
  private readonly stored: StoredCredential[] = [];

  constructor(options: SoftwareAuthenticatorOptions) {
    this.origin = options.origin;
    this.rpId = options.rpId;
    this.backedUp = options.backedUp ?? false;
    this.counterStep = options.counterStep ?? 1;
    this.aaguid = Buffer.from(options.aaguid ?? new Uint8Array(16));
    if (this.aaguid.length !== 16) throw new Error('an AAGUID is 16 bytes');
  }

  /** For the origin of a server (http://127.0.0.1:<port>), with its host name as RP id. */
  static for(url: string, options: Omit<SoftwareAuthenticatorOptions, 'origin' | 'rpId'> = {}): SoftwareAuthenticator {
    const parsed = new URL(url);
    return new SoftwareAuthenticator({ ...options, origin: parsed.origin, rpId: parsed.hostname });
  }

  /** The credentials this authenticator holds, oldest first. */
  get credentials(): readonly StoredCredential[] {
    return this.stored;
  }

  /** A remembered credential by id, or the only one. */
  credential(id?: string): StoredCredential {
    if (id !== undefined) {
      const found = this.stored.find((entry) => entry.id === id);
      if (!found) throw new Error(`this authenticator holds no credential ${id}`);
      return found;
    }
    if (this.stored.length !== 1)
      throw new Error(`this authenticator holds ${this.stored.length} credentials: name one`);
    return this.stored[0]!;
  }

  /** Sets the signature counter the next assertion starts from (it writes this plus the step). */
  setCounter(id: string, counter: number): void {
    this.credential(id).counter = counter;
  }

  /** Forgets a credential, as when the member removes it from their device. */
  forget(id: string): void {
    const index = this.stored.findIndex((entry) => entry.id === id);
    if (index >= 0) this.stored.splice(index, 1);
  }

  /** navigator.credentials.create() with these options, answered as RegistrationResponseJSON. */
  register(options: CreationOptionsJSON, overrides: RegisterOverrides = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? this.rpId;
    if (rpId !== this.rpId) throw new Error(`SecurityError: RP id ${rpId} is not valid for ${this.origin}`);
    if (!options.pubKeyCredParams.some((param) => param.type === 'public-key' && param.alg === ES256))
      throw new Error('NotSupportedError: the options do not offer ES256');
    const held = new Set(this.stored.filter((entry) => entry.rpId === rpId).map((entry) => entry.id));
    if (!overrides.ignoreExcludeCredentials && (options.excludeCredentials ?? []).some((entry) => held.has(entry.id)))
      throw new Error('InvalidStateError: this authenticator already holds an excluded credential');

    const { privateKey, publicKey } = newP256KeyPair();
    const credentialId = randomBytes(32);
    const counter = overrides.counter ?? 0;
    const flags = this.flags(overrides.flags);
    const authenticatorData = Buffer.concat([
      sha256(overrides.rpId ?? rpId),
      Buffer.from([flagsByte(flags, FLAG.AT)]),
      counterBytes(counter),
      this.aaguid,
      Buffer.from([credentialId.length >> 8, credentialId.length & 0xff]),
      credentialId,
      coseKeyOf(publicKey),
    ]);
    const attestationObject = cborEncode(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authenticatorData],
      ]),
    );
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, overrides);
    const id = credentialId.toString('base64url');
    this.stored.push({
      id,
      rpId,
      userHandle: options.user.id,
      userName: options.user.name,
      privateKey,
      publicKey,
      counter,
    });
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: options.extensions?.credProps ? { credProps: { rk: true } } : {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['hybrid', 'internal'],
        authenticatorData: authenticatorData.toString('base64url'),
        publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
        publicKeyAlgorithm: ES256,
      },
    };
  }

  /** navigator.credentials.get() with these options, answered by a remembered credential. */
  authenticate(options: RequestOptionsJSON, overrides: AuthenticateOverrides = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? this.rpId;
    if (rpId !== this.rpId) throw new Error(`SecurityError: RP id ${rpId} is not valid for ${this.origin}`);
    const credential = this.choose(rpId, options, overrides.credentialId);
    const counter = overrides.counter ?? (credential.counter + this.counterStep) >>> 0;
    if (!overrides.keepCounter) credential.counter = counter;
    const authenticatorData = Buffer.concat([
      sha256(overrides.rpId ?? rpId),
      Buffer.from([flagsByte(this.flags(overrides.flags), 0)]),
      counterBytes(counter),
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    // WebAuthn §6.3.3 step 11: the signature covers authenticatorData || SHA-256(clientDataJSON); ES256
    // signatures are ASN.1 DER (WebAuthn §6.5.5), unlike JWS's raw r||s.
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), {
      key: overrides.signWith ?? credential.privateKey,
      dsaEncoding: 'der',
    });
    const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }

  private choose(rpId: string, options: RequestOptionsJSON, id?: string): StoredCredential {
    if (id !== undefined) return this.credential(id);
    const allowed = options.allowCredentials ?? [];
    const candidates = this.stored.filter(
      (entry) => entry.rpId === rpId && (allowed.length === 0 || allowed.some((allow) => allow.id === entry.id)),
    );
    if (candidates.length === 0) throw new Error('NotAllowedError: this authenticator holds no credential to offer');
    if (candidates.length > 1) throw new Error(`${candidates.length} credentials could answer: pass credentialId`);
    return candidates[0]!;
  }

  private flags(flags: AuthenticatorFlags = {}): Required<AuthenticatorFlags> {
    return {
      up: flags.up ?? true,
      uv: flags.uv ?? true,
      be: flags.be ?? this.backedUp,
      bs: flags.bs ?? this.backedUp,
    };
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): Buffer {
    return Buffer.from(
      JSON.stringify({
        type: overrides.type ?? type,
        challenge: overrides.challenge ?? challenge,
        origin: overrides.origin ?? this.origin,
        crossOrigin: overrides.crossOrigin ?? false,
      }),
      'utf8',
    );
  }
}

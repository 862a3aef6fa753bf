// Kappa access keys for the AWS-compatible API port: an access key id maps to its secret, which SigV4 needs in
// clear (the signature is an HMAC keyed by it), so these are stored as Secrets, never hashed.

export interface AccessKeyStore {
  /** The secret of `accessKeyId`, or undefined when the key is unknown (or revoked). */
  lookup(accessKeyId: string): Promise<string | undefined> | string | undefined;
}

export class StaticAccessKeys implements AccessKeyStore {
  private readonly keys: Map<string, string>;

  constructor(keys: Iterable<[string, string]> | Record<string, string>) {
    this.keys = new Map(
      Symbol.iterator in keys ? (keys as Iterable<[string, string]>) : Object.entries(keys),
    );
    for (const [id, secret] of this.keys) validateAccessKey(id, secret);
  }

  lookup(accessKeyId: string): string | undefined {
    return this.keys.get(accessKeyId);
  }
}

function validateAccessKey(id: string, secret: string): void {
  if (!/^[A-Z0-9]{16,128}$/.test(id))
    throw new Error(
      `access key id "${id}" is invalid: use 16 to 128 upper-case letters and digits (like AKIA...)`,
    );
  if (typeof secret !== "string" || secret.length < 16)
    throw new Error(`the secret of access key ${id} is too short: use at least 16 characters`);
}

/** Parses "ID:SECRET" (the --access-key flag). */
export function parseAccessKey(value: string): [string, string] {
  const at = value.indexOf(":");
  if (at <= 0) throw new Error('access key must be given as "ID:SECRET"');
  const id = value.slice(0, at);
  const secret = value.slice(at + 1);
  validateAccessKey(id, secret);
  return [id, secret];
}

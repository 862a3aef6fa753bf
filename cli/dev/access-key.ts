// The SigV4 credentials of the local AWS-compatible port: given as --access-key ID:SECRET, or generated.
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors.js";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The gateway accepts these (gateway/aws/access-keys.ts): AWS-shaped IDs and secrets SigV4 can key on. */
const ID_PATTERN = /^[A-Z0-9]{16,128}$/;
const MIN_SECRET = 16;

export function parseAccessKey(text: string): AccessKey {
  const colon = text.indexOf(":");
  const accessKeyId = colon < 0 ? "" : text.slice(0, colon);
  const secretAccessKey = colon < 0 ? "" : text.slice(colon + 1);
  if (!ID_PATTERN.test(accessKeyId) || secretAccessKey.length < MIN_SECRET) {
    throw new UsageError(
      "--access-key must be ID:SECRET, the ID 16-128 upper-case letters or digits and the secret at least 16 characters " +
        "(e.g. --access-key KAPPALOCALDEVKEY:kappa-local-secret)",
    );
  }
  return { accessKeyId, secretAccessKey };
}

/** Shaped like AWS keys (20-character upper-case ID, 40-character secret) so tools that check the shape accept it. */
export function generateAccessKey(): AccessKey {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const id = [...randomBytes(15)].map((b) => alphabet[b % alphabet.length]).join("");
  const secret = randomBytes(30).toString("base64").replace(/[+/=]/g, "x").slice(0, 40);
  return { accessKeyId: `KAPPA${id}`, secretAccessKey: secret };
}

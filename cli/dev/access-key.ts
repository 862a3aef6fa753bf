// The SigV4 credentials of the local AWS-compatible port: given as --access-key ID:SECRET, or generated.
import { randomBytes } from "node:crypto";
import { UsageError } from "../errors.js";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

const ID_PATTERN = /^[A-Za-z0-9]{4,128}$/;

export function parseAccessKey(text: string): AccessKey {
  const colon = text.indexOf(":");
  const accessKeyId = colon < 0 ? "" : text.slice(0, colon);
  const secretAccessKey = colon < 0 ? "" : text.slice(colon + 1);
  if (!ID_PATTERN.test(accessKeyId) || secretAccessKey.length < 8) {
    throw new UsageError(
      "--access-key must be ID:SECRET, the ID 4-128 letters or digits and the secret at least 8 characters " +
        "(e.g. --access-key KAPPALOCAL:averylongsecret)",
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

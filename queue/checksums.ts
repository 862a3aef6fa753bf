// The checksums SQS clients verify: MD5 of the body (every SDK) and of the message attributes (Java, .NET, PHP).
import { createHash } from "node:crypto";
import type { MessageAttributes } from "./types.js";

export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

function lengthPrefixed(value: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(value.length);
  return Buffer.concat([length, value]);
}

/** Attributes sorted by name; per attribute: name, data type, transport byte (1 string/number, 2 binary), value. */
export function md5OfMessageAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const attribute = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, "utf8")));
    hash.update(lengthPrefixed(Buffer.from(attribute.dataType, "utf8")));
    if (attribute.binaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(attribute.binaryValue));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(attribute.stringValue ?? "", "utf8")));
    }
  }
  return hash.digest("hex");
}

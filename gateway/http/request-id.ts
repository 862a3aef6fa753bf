// Request ids: random (version 4) UUIDs, as crypto.randomUUID() makes them, but as one flat string. randomUUID()
// returns its 36 characters as a tree of joined pieces, and the first regular-expression test of such a string
// (the event writer's and the agent request's checks) leaves V8's fast path to flatten it in the runtime: ~250 ns
// per request more than the same work on a flat id (docs/gateway-performance.md "Ninth round").
import { randomFillSync } from "node:crypto";

const IDS_PER_FILL = 256;
const random = Buffer.alloc(16 * IDS_PER_FILL);
let used = random.length;
const text = Buffer.alloc(36);
const HEX = Buffer.from("0123456789abcdef", "latin1");

/** A new random UUID (RFC 9562 version 4), lower-case hex with dashes. */
export function newRequestId(): string {
  if (used === random.length) {
    randomFillSync(random);
    used = 0;
  }
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = random[used + i]!;
    // Byte 6 carries the version (4), byte 8 the variant (binary 10).
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d;
    text[at++] = HEX[byte >> 4]!;
    text[at++] = HEX[byte & 0x0f]!;
  }
  used += 16;
  return text.toString("latin1", 0, 36);
}

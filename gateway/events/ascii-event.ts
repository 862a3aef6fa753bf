// Whether an event is pure ASCII, judged from what it is built of rather than from its JSON. For an ASCII string the
// UTF-8 length is the length; otherwise learning it means scanning the string, and for JSON.stringify's output,
// which V8 hands back in pieces, first copying it into one (a flatten): ~1 us per request in place (docs/
// gateway-performance.md "Eighth round"). The JSON of an event built only from ASCII is ASCII: JSON.stringify
// escapes controls, quotes and lone surrogates with ASCII sequences and passes every other character through.
import { isAscii } from "node:buffer";
import { NON_ASCII } from "../http1/http-syntax.js";
import type { EventInput } from "./event-input.js";

/**
 * True when the event (2.0 or 1.0) built from `input` is pure ASCII, for certain; false means "not known".
 * `headIsAscii`: the request head held no byte above 0x7f (header values, the host, cookies, X-Forwarded-For; the
 * request-target and header names are ASCII by the parser's rules).
 */
export function eventIsAscii(input: EventInput, headIsAscii: boolean): boolean {
  const { request } = input;
  const route = request.route;
  return (
    headIsAscii &&
    // Path and query parameters are percent-decoded, which can turn ASCII into anything.
    !request.rawPath.includes("%") &&
    !request.rawQuery.includes("%") &&
    // An authorizer's context and claims are the authorizer's own values.
    request.identity.authorizer === undefined &&
    !NON_ASCII.test(route.routeKey) &&
    !NON_ASCII.test(route.resourcePath) &&
    (request.identity.apiKey === undefined || !NON_ASCII.test(request.identity.apiKey.id)) &&
    !NON_ASCII.test(request.sourceIp) &&
    (input.body.length === 0 || isAscii(input.body))
  );
}

// HTTP/1.1's character rules (RFC 9110 §5.6.2 tokens, §5.5 field values), in one place for the request parser,
// the response writer, the function-response mapping and the agent client.

/** The characters of a token (a method, a header name). */
export const TOKEN_CHARS = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
export const TOKEN = new RegExp(`^[${TOKEN_CHARS}]+$`);
/**
 * A character that must not be in a field value, read or written: controls other than HTAB, DEL, and anything
 * beyond latin1 (what node:http refuses too). CR, LF and NUL among them could split a message.
 */
export const INVALID_FIELD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** A character outside US-ASCII: where a head written as Latin-1 and the same text written as UTF-8 differ. */
export const NON_ASCII = /[\u0080-\uffff]/;

/**
 * A character other than HTAB, space and visible ASCII: a field value without one is both valid and ASCII, so one
 * scan settles the common value and only the rest need INVALID_FIELD_VALUE_CHAR and NON_ASCII.
 */
export const NOT_PLAIN_FIELD_VALUE_CHAR = /[^\t\x20-\x7e]/;

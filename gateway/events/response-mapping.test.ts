// Response mapping as API Gateway does it (AWS-COMPAT.md §3), table-driven.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidFunctionResponse, mapFunctionResponse } from "./response-mapping.js";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const valid: Array<{
  name: string;
  version: "1.0" | "2.0";
  output: Buffer;
  status: number;
  headers: Array<[string, string]>;
  body: string | Buffer;
}> = [
  {
    name: "2.0 proxy response",
    version: "2.0",
    output: json({ statusCode: 201, headers: { "Content-Type": "text/plain", "X-N": 5 }, body: "made" }),
    status: 201,
    headers: [
      ["Content-Type", "text/plain"],
      ["X-N", "5"],
    ],
    body: "made",
  },
  {
    name: "2.0 JSON object without statusCode is 200 application/json",
    version: "2.0",
    output: json({ hello: "world" }),
    status: 200,
    headers: [["content-type", "application/json"]],
    body: '{"hello":"world"}',
  },
  {
    name: "2.0 a bare string",
    version: "2.0",
    output: json("Hello from Lambda!"),
    status: 200,
    headers: [["content-type", "application/json"]],
    body: "Hello from Lambda!",
  },
  {
    name: "2.0 null",
    version: "2.0",
    output: json(null),
    status: 200,
    headers: [["content-type", "application/json"]],
    body: "null",
  },
  {
    name: "2.0 an array",
    version: "2.0",
    output: json([1, 2]),
    status: 200,
    headers: [["content-type", "application/json"]],
    body: "[1,2]",
  },
  {
    name: "2.0 cookies become Set-Cookie headers",
    version: "2.0",
    output: json({ statusCode: 200, cookies: ["a=1; Path=/", "b=2"] }),
    status: 200,
    headers: [
      ["set-cookie", "a=1; Path=/"],
      ["set-cookie", "b=2"],
    ],
    body: "",
  },
  {
    name: "base64 bodies are decoded",
    version: "2.0",
    output: json({ statusCode: 200, isBase64Encoded: true, body: Buffer.from([1, 2, 3]).toString("base64") }),
    status: 200,
    headers: [],
    body: Buffer.from([1, 2, 3]),
  },
  {
    name: "1.0 multiValueHeaders win over headers for the same name",
    version: "1.0",
    output: json({
      statusCode: 200,
      headers: { "X-A": "single", "X-B": "b" },
      multiValueHeaders: { "x-a": ["m1", "m2"] },
      body: "ok",
    }),
    status: 200,
    headers: [
      ["x-a", "m1"],
      ["x-a", "m2"],
      ["X-B", "b"],
    ],
    body: "ok",
  },
  {
    name: "framing headers from the function are dropped",
    version: "2.0",
    output: json({
      statusCode: 200,
      headers: { "Content-Length": "999", "Transfer-Encoding": "chunked", Connection: "close" },
      body: "x",
    }),
    status: 200,
    headers: [],
    body: "x",
  },
];

for (const c of valid) {
  test(c.name, () => {
    const mapped = mapFunctionResponse(c.output, c.version);
    assert.equal(mapped.statusCode, c.status);
    assert.deepEqual(mapped.headers, c.headers);
    assert.deepEqual(Buffer.from(mapped.body), Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body));
  });
}

const invalid: Array<{ name: string; version: "1.0" | "2.0"; output: Buffer }> = [
  { name: "not JSON", version: "2.0", output: Buffer.from("<html>") },
  { name: "1.0 without statusCode", version: "1.0", output: json({ hello: "world" }) },
  { name: "statusCode not a number", version: "2.0", output: json({ statusCode: "200" }) },
  { name: "statusCode out of range", version: "2.0", output: json({ statusCode: 99 }) },
  { name: "body not a string", version: "2.0", output: json({ statusCode: 200, body: { a: 1 } }) },
  {
    name: "header value with CRLF (response splitting)",
    version: "2.0",
    output: json({ statusCode: 200, headers: { "X-A": "a\r\nSet-Cookie: evil=1" } }),
  },
  {
    name: "header name with a space",
    version: "2.0",
    output: json({ statusCode: 200, headers: { "X A": "a" } }),
  },
  {
    name: "header value an object",
    version: "2.0",
    output: json({ statusCode: 200, headers: { "X-A": { b: 1 } } }),
  },
  { name: "cookie with a newline", version: "2.0", output: json({ statusCode: 200, cookies: ["a=1\nb"] }) },
  { name: "headers an array", version: "1.0", output: json({ statusCode: 200, headers: ["a"] }) },
];
for (const c of invalid) {
  test(`invalid: ${c.name}`, () => {
    assert.throws(() => mapFunctionResponse(c.output, c.version), InvalidFunctionResponse);
  });
}

// JWT authorizers through authorizerStage, with the issuer's JWKS and OIDC discovery document served by a real
// node:http server on 127.0.0.1 that counts every fetch. Time comes from a clock the test moves.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from "jose";
import { Registry } from "prom-client";
import { MemoryResourceStore } from "../../../../api/index.js";
import { authorizerStage } from "../../../../gateway/auth/index.js";
import { gatewayRequest, outcome, resource, status } from "./helpers.js";

let server: Server;
let issuer: string;
let served: JWK[] = [];
let fetches = { jwks: 0, discovery: 0 };
let key1: { privateKey: CryptoKey; publicKey: CryptoKey };
let key2: { privateKey: CryptoKey; publicKey: CryptoKey };
let jwk1: JWK;
let jwk2: JWK;

before(async () => {
  key1 = await generateKeyPair("RS256", { extractable: true });
  key2 = await generateKeyPair("RS256", { extractable: true });
  jwk1 = { ...(await exportJWK(key1.publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
  jwk2 = { ...(await exportJWK(key2.publicKey)), kid: "key-2", alg: "RS256", use: "sig" };
  server = createServer((req, res) => {
    if (req.url === "/jwks") {
      fetches.jwks++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: served }));
    } else if (req.url === "/.well-known/openid-configuration") {
      fetches.discovery++;
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const T0 = Date.parse("2026-11-22T12:00:00.000Z");
const seconds = (ms: number) => Math.floor(ms / 1000);

function setup(jwt: object = {}, stageOptions: object = {}) {
  served = [jwk1];
  fetches = { jwks: 0, discovery: 0 };
  const store = new MemoryResourceStore();
  store.upsert(
    resource("Authorizer", "jwt", {
      type: "jwt",
      jwt: {
        issuer,
        audiences: ["pets-api"],
        jwksUrl: `${issuer}/jwks`,
        identitySource: "$request.header.Authorization",
        ...jwt,
      },
    }),
  );
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const stage = authorizerStage({
    store,
    invoker: { invoke: () => Promise.reject(new Error("no functions here")) },
    clock,
    registry: new Registry(),
    jwks: { cooldownMs: 30_000 },
    jwtLeewaySeconds: 30,
    ...stageOptions,
  });
  return { stage, clock, store };
}

async function token(
  claims: JWTPayload = {},
  options: { key?: CryptoKey; kid?: string | null; alg?: string } = {},
) {
  const header: Record<string, string> = { alg: options.alg ?? "RS256" };
  if (options.kid !== null) header.kid = options.kid ?? "key-1";
  return new SignJWT({
    iss: issuer,
    aud: "pets-api",
    sub: "user-1",
    iat: seconds(T0),
    exp: seconds(T0) + 3600,
    scope: "pets:read pets:write",
    ...claims,
  })
    .setProtectedHeader(header as { alg: string })
    .sign(options.key ?? key1.privateKey);
}

const b64url = (value: object | string) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

const bearer = (jwt: string, scopes?: string[]) =>
  gatewayRequest({
    headers: { authorization: `Bearer ${jwt}` },
    route: { auth: { authorizer: "jwt", scopes } },
  });

test("a valid token passes with its claims and scopes; the Bearer prefix is optional", async () => {
  const { stage } = setup();
  const jwt = await token();
  const request = bearer(jwt);
  assert.equal(status(await outcome(stage, request)), "passed");
  assert.equal(
    request.identity.authorizer?.principalId,
    undefined,
    "HTTP API JWT events carry claims, not a principalId",
  );
  assert.equal(request.identity.authorizer?.jwt?.claims.sub, "user-1");
  assert.deepEqual(request.identity.authorizer?.jwt?.scopes, ["pets:read", "pets:write"]);
  const bare = gatewayRequest({ headers: { authorization: jwt }, route: { auth: { authorizer: "jwt" } } });
  assert.equal(status(await outcome(stage, bare)), "passed");
  assert.equal(fetches.jwks, 1, "the JWKS is fetched once and cached");
  stage.close();
});

test("missing and malformed tokens are 401 Unauthorized", async () => {
  const { stage } = setup();
  const missing = await outcome(stage, gatewayRequest({ route: { auth: { authorizer: "jwt" } } }));
  assert.equal(status(missing), "401 Unauthorized");
  assert.equal(missing?.options.headers?.["www-authenticate"], "Bearer");
  assert.equal(status(await outcome(stage, bearer("not-a-jwt"))), "401 Unauthorized");
  assert.equal(status(await outcome(stage, bearer("a.b.c"))), "401 Unauthorized");
  stage.close();
});

test("time claims: expired, not yet valid, issued in the future, missing exp; small leeway accepted", async () => {
  const { stage } = setup();
  const cases: Array<[string, JWTPayload, string]> = [
    ["expired", { exp: seconds(T0) - 60 }, "401 Unauthorized"],
    ["expired within leeway", { exp: seconds(T0) - 10 }, "passed"],
    ["nbf in the future", { nbf: seconds(T0) + 120 }, "401 Unauthorized"],
    ["nbf within leeway", { nbf: seconds(T0) + 10 }, "passed"],
    ["iat in the future", { iat: seconds(T0) + 120 }, "401 Unauthorized"],
    ["no exp", { exp: undefined }, "401 Unauthorized"],
  ];
  for (const [name, claims, expected] of cases) {
    const error = await outcome(stage, bearer(await token(claims)));
    assert.equal(status(error), expected, name);
  }
  const expired = await outcome(stage, bearer(await token({ exp: seconds(T0) - 60 })));
  assert.match(
    expired?.options.headers?.["www-authenticate"] ?? "",
    /error="invalid_token", error_description="the token has expired"/,
  );
  stage.close();
});

test("wrong issuer, wrong audience, client_id audience", async () => {
  const { stage } = setup();
  assert.equal(
    status(await outcome(stage, bearer(await token({ iss: "http://evil.example" })))),
    "401 Unauthorized",
  );
  assert.equal(status(await outcome(stage, bearer(await token({ aud: "other-api" })))), "401 Unauthorized");
  assert.equal(status(await outcome(stage, bearer(await token({ aud: ["other", "pets-api"] })))), "passed");
  assert.equal(
    status(await outcome(stage, bearer(await token({ aud: undefined, client_id: "pets-api" })))),
    "passed",
  );
  stage.close();
});

test("bad signature, alg none and HS256 signed with the RSA public key are refused", async () => {
  const { stage } = setup();
  // Signed by key 2 but claiming key 1's kid.
  assert.equal(
    status(await outcome(stage, bearer(await token({}, { key: key2.privateKey })))),
    "401 Unauthorized",
  );
  // A valid token with its payload swapped.
  const [h, , s] = (await token()).split(".");
  const tampered = `${h}.${b64url({ iss: issuer, aud: "pets-api", sub: "admin", exp: seconds(T0) + 3600 })}.${s}`;
  assert.equal(status(await outcome(stage, bearer(tampered))), "401 Unauthorized");
  // alg: none, unsigned.
  const none = `${b64url({ alg: "none", kid: "key-1" })}.${b64url({ iss: issuer, aud: "pets-api", sub: "x", exp: seconds(T0) + 3600 })}.`;
  assert.equal(status(await outcome(stage, bearer(none))), "401 Unauthorized");
  // Algorithm confusion: HS256 with the issuer's public key (PEM and JWK modulus) as the HMAC secret.
  const pem = await exportSPKI(key1.publicKey);
  for (const secret of [new TextEncoder().encode(pem), Buffer.from(jwk1.n!, "base64url")]) {
    const confused = await new SignJWT({ iss: issuer, aud: "pets-api", sub: "x", exp: seconds(T0) + 3600 })
      .setProtectedHeader({ alg: "HS256", kid: "key-1" })
      .sign(secret);
    assert.equal(status(await outcome(stage, bearer(confused))), "401 Unauthorized");
  }
  assert.equal(fetches.jwks, 1, "refused algorithms never trigger a JWKS refetch");
  stage.close();
});

test("a token without kid is refused without fetching keys", async () => {
  const { stage } = setup();
  assert.equal(status(await outcome(stage, bearer(await token({}, { kid: null })))), "401 Unauthorized");
  assert.equal(fetches.jwks, 0);
  stage.close();
});

test("an unknown kid triggers exactly one JWKS refetch, then waits for the cooldown", async () => {
  const { stage } = setup();
  assert.equal(status(await outcome(stage, bearer(await token()))), "passed");
  assert.equal(fetches.jwks, 1);
  const unknown = await token({}, { kid: "key-9" });
  assert.equal(status(await outcome(stage, bearer(unknown))), "401 Unauthorized");
  assert.equal(fetches.jwks, 1, "within the cooldown of the first fetch: no refetch");
  stage.close();

  const second = setup();
  await outcome(second.stage, bearer(await token()));
  second.clock.advance(31_000);
  await Promise.all(Array.from({ length: 5 }, async () => outcome(second.stage, bearer(unknown))));
  assert.equal(fetches.jwks, 2, "five concurrent unknown kids after the cooldown: one refetch");
  await outcome(second.stage, bearer(unknown));
  assert.equal(fetches.jwks, 2, "and then the cooldown again");
  second.stage.close();
});

test("key rotation: a token signed by the issuer's new key is accepted after one refetch", async () => {
  const { stage, clock } = setup();
  assert.equal(status(await outcome(stage, bearer(await token()))), "passed");
  served = [jwk1, jwk2];
  clock.advance(31_000);
  const rotated = await token(
    { iat: seconds(T0 + 31_000), exp: seconds(T0) + 7200 },
    { key: key2.privateKey, kid: "key-2" },
  );
  assert.equal(status(await outcome(stage, bearer(rotated))), "passed");
  assert.equal(fetches.jwks, 2);
  served = [jwk2]; // key 1 retired: refreshed after maxAge (10 min) without any unknown kid
  clock.advance(11 * 60_000);
  assert.equal(
    status(await outcome(stage, bearer(await token({ exp: seconds(T0) + 7200 })))),
    "401 Unauthorized",
  );
  assert.equal(status(await outcome(stage, bearer(rotated))), "passed");
  assert.equal(fetches.jwks, 3);
  stage.close();
});

test("route scopes: any one of them in scope or scp, otherwise 403 insufficient_scope", async () => {
  const { stage } = setup();
  assert.equal(status(await outcome(stage, bearer(await token(), ["pets:read"]))), "passed");
  assert.equal(
    status(
      await outcome(
        stage,
        bearer(await token({ scope: undefined, scp: ["admin", "pets:delete"] }), ["pets:delete"]),
      ),
    ),
    "passed",
  );
  const refused = await outcome(stage, bearer(await token(), ["pets:admin"]));
  assert.equal(status(refused), "403 Forbidden");
  assert.match(refused?.options.headers?.["www-authenticate"] ?? "", /insufficient_scope/);
  assert.equal(
    status(await outcome(stage, bearer(await token({ scope: undefined }), ["pets:read"]))),
    "403 Forbidden",
  );
  stage.close();
});

test("OIDC discovery finds the JWKS from the issuer when no jwksUrl is given", async () => {
  const { stage } = setup({ jwksUrl: undefined });
  assert.equal(status(await outcome(stage, bearer(await token()))), "passed");
  assert.deepEqual(fetches, { jwks: 1, discovery: 1 });
  stage.close();
});

test("an unreachable JWKS denies (401) and does not crash", async () => {
  const { stage } = setup({ jwksUrl: "http://127.0.0.1:1/jwks" }, { jwks: { timeoutMs: 500 } });
  assert.equal(status(await outcome(stage, bearer(await token()))), "401 Unauthorized");
  stage.close();
});

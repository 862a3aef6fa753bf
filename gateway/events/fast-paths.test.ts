// The events and response mappings of the common path (no cookie, no query, a small JSON body, a plain proxy
// result) and of everything around it, compared byte for byte with what the builders produced before they had
// fast paths (the expected strings below were written by those builders, commit 0289744).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GatewayRequest, MatchedRoute } from "../http/gateway-request.js";
import type { EventInput } from "./event-input.js";
import { buildPayloadV1 } from "./payload-v1.js";
import { buildPayloadV2 } from "./payload-v2.js";
import { mapFunctionResponse } from "./response-mapping.js";

const SECOND = Date.UTC(2024, 1, 29, 23, 59, 59);

const functionRoute: MatchedRoute = {
  routeKey: "ANY /function/bench/noop",
  resourcePath: "/function/bench/noop",
  pathParameters: Object.freeze({}),
  function: { namespace: "bench", name: "noop" },
  payloadFormatVersion: "2.0",
};
const petRoute: MatchedRoute = {
  routeRef: { namespace: "default", name: "pets" },
  routeKey: "GET /pets/{id}",
  resourcePath: "/pets/{id}",
  pathParameters: { id: "7" },
  function: { namespace: "default", name: "pets" },
  payloadFormatVersion: "2.0",
};

function input(
  request: Partial<GatewayRequest>,
  rawHeaders: string[],
  body: Buffer = Buffer.alloc(0),
): EventInput {
  return {
    request: {
      id: "req-1",
      method: "POST",
      rawPath: "/function/bench/noop",
      rawQuery: "",
      headers: {},
      host: "127.0.0.1:8080",
      sourceIp: "10.1.2.3",
      receivedAt: SECOND,
      identity: {},
      route: functionRoute,
      ...request,
    } as EventInput["request"],
    rawHeaders,
    body,
    protocol: "HTTP/1.1",
  };
}

const benchBody = Buffer.from('{"id":1,"name":"benchmark","items":[1,2,3],"note":"xxxxxxxxxx"}   ');
const inputs: Record<string, EventInput> = {
  common: input(
    {},
    [
      "Host",
      "127.0.0.1:8080",
      "User-Agent",
      "wrk",
      "Content-Type",
      "application/json",
      "Content-Length",
      String(benchBody.length),
      "x-api-key",
      "secret",
    ],
    benchBody,
  ),
  everything: input(
    {
      method: "GET",
      rawPath: "/pets/7",
      rawQuery: "a=1&a=2&b=x+y%20z&&c&%zz=1&=v",
      host: "[::1]:8080",
      receivedAt: SECOND + 999,
      route: petRoute,
      identity: {
        apiKey: { id: "k1", name: "key", namespace: "default" },
        authorizer: { jwt: { claims: { sub: "u" }, scopes: ["r"] }, context: { t: 1 }, principalId: "u" },
      },
    },
    [
      "Host",
      "[::1]:8080",
      "Cookie",
      "a=1; ; b=2",
      "X-Multi",
      "one",
      "cookie",
      " c=3 ",
      "x-multi",
      "two",
      "constructor",
      "c1",
      "Constructor",
      "c2",
      "toString",
      "t",
      "__proto__",
      "p",
      "hasOwnProperty",
      "h",
      "1",
      "digit",
      "Content-Type",
      "application/octet-stream",
      "X-API-Key",
      "the-key",
    ],
    Buffer.from([0, 1, 2, 255]),
  ),
  "empty cookie, no dot in the host, a new second": input(
    { host: "localhost", receivedAt: SECOND + 1000, rawQuery: "&" },
    ["Host", "localhost", "Cookie", "", "Content-Type", "application/json"],
    Buffer.from([0xff, 0xfe]),
  ),
  "an earlier second, no headers": input({ receivedAt: SECOND - 86_400_000 * 40 }, []),
  "a leading dot and a text body": input(
    { host: ".example.com", identity: { authorizer: { context: { a: "1" } } } },
    ["Host", ".example.com", "content-type", "text/plain; charset=utf-8", "Content-Type", "x"],
    Buffer.from("héllo"),
  ),
};

const result = (statusCode: number, rest: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ statusCode, ...rest }));
const outputs: Record<string, { version: "1.0" | "2.0"; output: Buffer }> = {
  common: {
    version: "2.0",
    output: result(200, { headers: { "content-type": "application/json" }, body: '{"ok":true}' }),
  },
  "spellings, framing, digits, __proto__": {
    version: "2.0",
    output: Buffer.from(
      '{"statusCode":201,"headers":{"X-A":"1","Content-Length":"9","b":true,"x-a":2,"1":"d",' +
        '"__proto__":"p","connection":"close","CONTENT-LENGTH":"7"},"cookies":["c=1"],"body":"x"}',
    ),
  },
  "multiValueHeaders null": {
    version: "2.0",
    output: result(200, { headers: { A: "1", a: "2" }, multiValueHeaders: null }),
  },
  "1.0 merged": {
    version: "1.0",
    output: result(200, { headers: { A: "1", B: "2" }, multiValueHeaders: { a: ["x", "y"] }, body: "z" }),
  },
  "no headers, base64": { version: "2.0", output: result(204, { isBase64Encoded: true, body: "AAE=" }) },
  "headers null": { version: "2.0", output: result(200, { headers: null }) },
};

for (const [name, event] of Object.entries(inputs)) {
  test(`2.0 event, ${name}`, () => {
    assert.equal(JSON.stringify(buildPayloadV2(event)), EXPECTED[`v2 ${name}`]);
  });
  test(`1.0 event, ${name}`, () => {
    assert.equal(JSON.stringify(buildPayloadV1(event)), EXPECTED[`v1 ${name}`]);
  });
}
for (const [name, { version, output }] of Object.entries(outputs)) {
  test(`response, ${name}`, () => {
    const mapped = mapFunctionResponse(output, version);
    const shown = { ...mapped, body: Buffer.from(mapped.body).toString("base64") };
    assert.equal(JSON.stringify(shown), EXPECTED[`response ${name}`]);
  });
}

test("a bad header value is reported before a later bad name only when the names are fine", () => {
  const output = Buffer.from('{"statusCode":200,"headers":{"A":"x\\ny","B C":"1"}}');
  assert.throws(() => mapFunctionResponse(output, "2.0"), /invalid header name "B C"/);
});

const EXPECTED: Record<string, string> = {
  "v2 common":
    '{"version":"2.0","routeKey":"ANY /function/bench/noop","rawPath":"/function/bench/noop","rawQueryString":"","headers":{"host":"127.0.0.1:8080","user-agent":"wrk","content-type":"application/json","content-length":"66","x-api-key":"secret"},"requestContext":{"accountId":"000000000000","apiId":"kappa","domainName":"127.0.0.1","domainPrefix":"127","http":{"method":"POST","path":"/function/bench/noop","protocol":"HTTP/1.1","sourceIp":"10.1.2.3","userAgent":"wrk"},"requestId":"req-1","routeKey":"ANY /function/bench/noop","stage":"$default","time":"29/Feb/2024:23:59:59 +0000","timeEpoch":1709251199000},"isBase64Encoded":false,"body":"{\\"id\\":1,\\"name\\":\\"benchmark\\",\\"items\\":[1,2,3],\\"note\\":\\"xxxxxxxxxx\\"}   "}',
  "v1 common":
    '{"version":"1.0","resource":"/function/bench/noop","path":"/function/bench/noop","httpMethod":"POST","headers":{"Host":"127.0.0.1:8080","User-Agent":"wrk","Content-Type":"application/json","Content-Length":"66","x-api-key":"secret"},"multiValueHeaders":{"Host":["127.0.0.1:8080"],"User-Agent":["wrk"],"Content-Type":["application/json"],"Content-Length":["66"],"x-api-key":["secret"]},"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"accountId":"000000000000","apiId":"kappa","authorizer":null,"domainName":"127.0.0.1","domainPrefix":"127","extendedRequestId":"req-1","httpMethod":"POST","identity":{"accessKey":null,"accountId":null,"apiKey":null,"apiKeyId":null,"caller":null,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,"sourceIp":"10.1.2.3","user":null,"userAgent":"wrk","userArn":null},"path":"/function/bench/noop","protocol":"HTTP/1.1","requestId":"req-1","requestTime":"29/Feb/2024:23:59:59 +0000","requestTimeEpoch":1709251199000,"resourceId":"ANY /function/bench/noop","resourcePath":"/function/bench/noop","stage":"$default"},"body":"{\\"id\\":1,\\"name\\":\\"benchmark\\",\\"items\\":[1,2,3],\\"note\\":\\"xxxxxxxxxx\\"}   ","isBase64Encoded":false}',
  "v2 everything":
    '{"version":"2.0","routeKey":"GET /pets/{id}","rawPath":"/pets/7","rawQueryString":"a=1&a=2&b=x+y%20z&&c&%zz=1&=v","headers":{"1":"digit","host":"[::1]:8080","x-multi":"one,two","constructor":"c1,c2","tostring":"t","hasownproperty":"h","content-type":"application/octet-stream","x-api-key":"the-key"},"requestContext":{"accountId":"000000000000","apiId":"kappa","domainName":"[::1]","domainPrefix":"[::1]","http":{"method":"GET","path":"/pets/7","protocol":"HTTP/1.1","sourceIp":"10.1.2.3","userAgent":""},"requestId":"req-1","routeKey":"GET /pets/{id}","stage":"$default","time":"29/Feb/2024:23:59:59 +0000","timeEpoch":1709251199999,"authorizer":{"jwt":{"claims":{"sub":"u"},"scopes":["r"]},"lambda":{"t":1},"principalId":"u"}},"isBase64Encoded":true,"cookies":["a=1","b=2","c=3"],"queryStringParameters":{"a":"1,2","b":"x y z","c":"","%zz":"1","":"v"},"pathParameters":{"id":"7"},"body":"AAEC/w=="}',
  "v1 everything":
    '{"version":"1.0","resource":"/pets/{id}","path":"/pets/7","httpMethod":"GET","headers":{"1":"digit","Host":"[::1]:8080","Cookie":" c=3 ","X-Multi":"two","constructor":"c2","toString":"t","hasOwnProperty":"h","Content-Type":"application/octet-stream","X-API-Key":"the-key"},"multiValueHeaders":{"1":["digit"],"Host":["[::1]:8080"],"Cookie":["a=1; ; b=2"," c=3 "],"X-Multi":["one","two"],"constructor":["c1","c2"],"toString":["t"],"hasOwnProperty":["h"],"Content-Type":["application/octet-stream"],"X-API-Key":["the-key"]},"queryStringParameters":{"a":"2","b":"x y z","c":"","%zz":"1","":"v"},"multiValueQueryStringParameters":{"a":["1","2"],"b":["x y z"],"c":[""],"%zz":["1"],"":["v"]},"pathParameters":{"id":"7"},"stageVariables":null,"requestContext":{"accountId":"000000000000","apiId":"kappa","authorizer":{"t":1,"principalId":"u","claims":{"sub":"u"},"scopes":["r"]},"domainName":"[::1]","domainPrefix":"[::1]","extendedRequestId":"req-1","httpMethod":"GET","identity":{"accessKey":null,"accountId":null,"apiKey":"the-key","apiKeyId":"k1","caller":null,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,"sourceIp":"10.1.2.3","user":null,"userAgent":null,"userArn":null},"path":"/pets/7","protocol":"HTTP/1.1","requestId":"req-1","requestTime":"29/Feb/2024:23:59:59 +0000","requestTimeEpoch":1709251199999,"resourceId":"GET /pets/{id}","resourcePath":"/pets/{id}","stage":"$default"},"body":"AAEC/w==","isBase64Encoded":true}',
  "v2 empty cookie, no dot in the host, a new second":
    '{"version":"2.0","routeKey":"ANY /function/bench/noop","rawPath":"/function/bench/noop","rawQueryString":"&","headers":{"host":"localhost","content-type":"application/json"},"requestContext":{"accountId":"000000000000","apiId":"kappa","domainName":"localhost","domainPrefix":"localhost","http":{"method":"POST","path":"/function/bench/noop","protocol":"HTTP/1.1","sourceIp":"10.1.2.3","userAgent":""},"requestId":"req-1","routeKey":"ANY /function/bench/noop","stage":"$default","time":"01/Mar/2024:00:00:00 +0000","timeEpoch":1709251200000},"isBase64Encoded":true,"body":"//4="}',
  "v1 empty cookie, no dot in the host, a new second":
    '{"version":"1.0","resource":"/function/bench/noop","path":"/function/bench/noop","httpMethod":"POST","headers":{"Host":"localhost","Cookie":"","Content-Type":"application/json"},"multiValueHeaders":{"Host":["localhost"],"Cookie":[""],"Content-Type":["application/json"]},"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"accountId":"000000000000","apiId":"kappa","authorizer":null,"domainName":"localhost","domainPrefix":"localhost","extendedRequestId":"req-1","httpMethod":"POST","identity":{"accessKey":null,"accountId":null,"apiKey":null,"apiKeyId":null,"caller":null,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,"sourceIp":"10.1.2.3","user":null,"userAgent":null,"userArn":null},"path":"/function/bench/noop","protocol":"HTTP/1.1","requestId":"req-1","requestTime":"01/Mar/2024:00:00:00 +0000","requestTimeEpoch":1709251200000,"resourceId":"ANY /function/bench/noop","resourcePath":"/function/bench/noop","stage":"$default"},"body":"//4=","isBase64Encoded":true}',
  "v2 an earlier second, no headers":
    '{"version":"2.0","routeKey":"ANY /function/bench/noop","rawPath":"/function/bench/noop","rawQueryString":"","headers":{},"requestContext":{"accountId":"000000000000","apiId":"kappa","domainName":"127.0.0.1","domainPrefix":"127","http":{"method":"POST","path":"/function/bench/noop","protocol":"HTTP/1.1","sourceIp":"10.1.2.3","userAgent":""},"requestId":"req-1","routeKey":"ANY /function/bench/noop","stage":"$default","time":"20/Jan/2024:23:59:59 +0000","timeEpoch":1705795199000},"isBase64Encoded":false}',
  "v1 an earlier second, no headers":
    '{"version":"1.0","resource":"/function/bench/noop","path":"/function/bench/noop","httpMethod":"POST","headers":null,"multiValueHeaders":null,"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"accountId":"000000000000","apiId":"kappa","authorizer":null,"domainName":"127.0.0.1","domainPrefix":"127","extendedRequestId":"req-1","httpMethod":"POST","identity":{"accessKey":null,"accountId":null,"apiKey":null,"apiKeyId":null,"caller":null,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,"sourceIp":"10.1.2.3","user":null,"userAgent":null,"userArn":null},"path":"/function/bench/noop","protocol":"HTTP/1.1","requestId":"req-1","requestTime":"20/Jan/2024:23:59:59 +0000","requestTimeEpoch":1705795199000,"resourceId":"ANY /function/bench/noop","resourcePath":"/function/bench/noop","stage":"$default"},"body":null,"isBase64Encoded":false}',
  "v2 a leading dot and a text body":
    '{"version":"2.0","routeKey":"ANY /function/bench/noop","rawPath":"/function/bench/noop","rawQueryString":"","headers":{"host":".example.com","content-type":"text/plain; charset=utf-8,x"},"requestContext":{"accountId":"000000000000","apiId":"kappa","domainName":".example.com","domainPrefix":"","http":{"method":"POST","path":"/function/bench/noop","protocol":"HTTP/1.1","sourceIp":"10.1.2.3","userAgent":""},"requestId":"req-1","routeKey":"ANY /function/bench/noop","stage":"$default","time":"29/Feb/2024:23:59:59 +0000","timeEpoch":1709251199000,"authorizer":{"lambda":{"a":"1"}}},"isBase64Encoded":false,"body":"héllo"}',
  "v1 a leading dot and a text body":
    '{"version":"1.0","resource":"/function/bench/noop","path":"/function/bench/noop","httpMethod":"POST","headers":{"Host":".example.com","content-type":"x"},"multiValueHeaders":{"Host":[".example.com"],"content-type":["text/plain; charset=utf-8","x"]},"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"accountId":"000000000000","apiId":"kappa","authorizer":{"a":"1"},"domainName":".example.com","domainPrefix":"","extendedRequestId":"req-1","httpMethod":"POST","identity":{"accessKey":null,"accountId":null,"apiKey":null,"apiKeyId":null,"caller":null,"cognitoAuthenticationProvider":null,"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,"sourceIp":"10.1.2.3","user":null,"userAgent":null,"userArn":null},"path":"/function/bench/noop","protocol":"HTTP/1.1","requestId":"req-1","requestTime":"29/Feb/2024:23:59:59 +0000","requestTimeEpoch":1709251199000,"resourceId":"ANY /function/bench/noop","resourcePath":"/function/bench/noop","stage":"$default"},"body":"héllo","isBase64Encoded":false}',
  "response common":
    '{"statusCode":200,"headers":[["content-type","application/json"]],"body":"eyJvayI6dHJ1ZX0="}',
  "response spellings, framing, digits, __proto__":
    '{"statusCode":201,"headers":[["1","d"],["x-a","2"],["b","true"],["__proto__","p"],["set-cookie","c=1"]],"body":"eA=="}',
  "response multiValueHeaders null": '{"statusCode":200,"headers":[["a","2"]],"body":""}',
  "response 1.0 merged": '{"statusCode":200,"headers":[["a","x"],["a","y"],["B","2"]],"body":"eg=="}',
  "response no headers, base64": '{"statusCode":204,"headers":[],"body":"AAE="}',
  "response headers null": '{"statusCode":200,"headers":[],"body":""}',
};

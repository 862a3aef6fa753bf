// A minimal client of the Lambda Runtime API over one keep-alive connection (plain JavaScript: this file runs
// under whichever Node binary the function uses, with no build step).
import http from "node:http";

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export class RuntimeClient {
  constructor(address) {
    const [host, port] = address.split(":");
    this.host = host;
    this.port = Number(port);
  }

  request(method, path, headers, body) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  async prime() {
    const res = await this.request("GET", "/kappa/v1/prime", {});
    return JSON.parse(res.body.toString("utf8"));
  }

  async next() {
    const res = await this.request("GET", "/2018-06-01/runtime/invocation/next", {});
    if (res.status !== 200) throw new Error(`/next answered ${res.status}: ${res.body}`);
    return res;
  }

  postResponse(requestId, text) {
    return this.request(
      "POST",
      `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`,
      { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      text,
    );
  }

  postError(requestId, error) {
    return this.postErrorTo(`/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/error`, error);
  }

  postInitError(error) {
    return this.postErrorTo("/2018-06-01/runtime/init/error", error);
  }

  postErrorTo(path, error) {
    const text = JSON.stringify(error);
    return this.request(
      "POST",
      path,
      {
        "content-type": "application/vnd.aws.lambda.error+json",
        "content-length": Buffer.byteLength(text),
        "lambda-runtime-function-error-type": error.errorType,
      },
      text,
    );
  }
}

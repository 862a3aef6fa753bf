// `kappa dev` and every CLI command against it, for real: a private redis-server, the gateway, the controller
// with local-process instances of the runtime agent, and the CLI as a separate process talking to them.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { spawn } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { eventually, kappaArgs, repoRoot, startDev, type DevProcess } from "./kappa-process.js";

const ACCESS_KEY = "KAPPATESTACCESSKEY1:kappa-test-secret-0123";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("kappa dev with the CLI", () => {
  let folder: string;
  let dev: DevProcess;
  const json = async (args: string[]) => {
    const result = await dev.kappa(["-o", "json", ...args]);
    assert.equal(result.code, 0, `kappa ${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), "kappa-dev-folder-"));
    cpSync(join(repoRoot, "examples", "hello"), join(folder, "hello"), { recursive: true });
    // A bad manifest next to the good one: it is reported, the good one still loads.
    writeFileSync(
      join(folder, "broken.yaml"),
      "apiVersion: kappa.dev/v1alpha1\nkind: Function\nmetadata: { name: broken }\n" +
        "spec: { runtime: nodejs20, handler: index.handler, memoryMiB: 64, code: { inline: { index.mjs: 'x' } } }\n",
    );
    dev = await startDev(folder, ["--access-key", ACCESS_KEY]);
  });

  after(async () => {
    await dev?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("prints where functions answer, the access key, and the bad manifest by file, resource and field", async () => {
    const out = await eventually("the banner", async () =>
      dev.output().includes("Ready in") ? dev.output() : undefined,
    );
    assert.match(out, new RegExp(`${dev.state.httpUrl}/function/default/hello`));
    assert.match(out, /KAPPATESTACCESSKEY1:kappa-test-secret-0123/);
    assert.match(
      out,
      /broken\.yaml: Function\/default\/broken: spec\.memoryMiB: must be between 128 and 10240 MiB \(got 64\)/,
    );
    assert.equal(dev.state.accessKeyId, "KAPPATESTACCESSKEY1");
  });

  it("answers HTTP on the function's URL", async () => {
    const response = await fetch(`${dev.state.httpUrl}/function/default/hello?name=Ada`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { message: "Hello, Ada!", path: "/function/default/hello" });
  });

  it("invokes through the Lambda API with SigV4 (kappa invoke), with the log tail", async () => {
    const out = await json([
      "invoke",
      "hello",
      "--data",
      '{"queryStringParameters":{"name":"Bob"}}',
      "--log",
    ]);
    assert.equal(out.statusCode, 200);
    const payload = out.payload as { statusCode: number; body: string };
    assert.equal(payload.statusCode, 200);
    assert.equal(JSON.parse(payload.body).message, "Hello, Bob!");
    assert.match(String(out.log), /REPORT RequestId: /);
    const bad = await dev.kappa(["invoke", "hello", "--data", "{not json"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--data must be JSON/);
  });

  it("lists and describes what is loaded", async () => {
    const list = await json(["list"]);
    const names = (list.items as { metadata: { name: string } }[]).map((i) => i.metadata.name);
    assert.deepEqual(names, ["hello"]);
    const described = await json(["describe", "hello"]);
    assert.equal(described.url, `${dev.state.httpUrl}/function/default/hello`);
    const fn = described.function as { status?: { conditions?: { type: string; status: string }[] } };
    assert.equal(fn.status?.conditions?.find((c) => c.type === "Ready")?.status, "True");
    const yaml = await dev.kappa(["-o", "yaml", "list"]);
    assert.equal(yaml.code, 0);
    assert.equal(
      (parseYaml(yaml.stdout) as { items: { metadata: { name: string } }[] }).items[0]?.metadata.name,
      "hello",
    );
    const table = await dev.kappa(["list"]);
    assert.match(table.stdout, /^NAME\s+RUNTIME\s+READY\s+INSTANCES\s+URL/);
    assert.ok(!table.stdout.includes(String.fromCharCode(27)), "no color escape codes when not a TTY");
    const missing = await dev.kappa(["describe", "nope"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /function default\/nope is not loaded/);
  });

  it("hot-reloads a function when its code changes", async () => {
    const file = join(folder, "hello", "index.mjs");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "message: `${process.env.GREETING}",
        "message: `v2 ${process.env.GREETING}",
      ),
    );
    const body = await eventually("the new code to answer", async () => {
      const response = await fetch(`${dev.state.httpUrl}/function/default/hello`);
      const data = (await response.json()) as { message: string };
      return data.message.startsWith("v2 ") ? data : undefined;
    });
    assert.equal(body.message, "v2 Hello, world!");
    assert.match(dev.output(), /~ redeployed Function\/default\/hello/);
  });

  it("deploys a folder (and refuses an invalid one), then deletes it", async () => {
    const source = mkdtempSync(join(tmpdir(), "kappa-deploy-src-"));
    mkdirSync(join(source, "echo"));
    writeFileSync(
      join(source, "echo", "index.mjs"),
      "export const handler = async (event) => ({ echoed: event });\n",
    );
    writeFileSync(
      join(source, "echo", "function.yaml"),
      "apiVersion: kappa.dev/v1alpha1\nkind: Function\nmetadata: { name: echo, namespace: team-a }\nspec: { runtime: nodejs20, handler: index.handler, code: { path: . } }\n",
    );
    const dry = await dev.kappa(["deploy", join(source, "echo"), "--dry-run"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /valid: Function\/team-a\/echo/);

    const deployed = await dev.kappa(["deploy", join(source, "echo")]);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, /deployed Function\/team-a\/echo/);
    assert.ok(existsSync(join(folder, "echo", "function.yaml")), "copied into the dev folder");
    // Another namespace: the CLI names it to the Lambda API as a partial ARN (team-a:function:echo).
    const out = await json(["invoke", "team-a/echo", "--data", '{"a":1}']);
    assert.deepEqual(out.payload, { echoed: { a: 1 } });

    writeFileSync(
      join(source, "echo", "bad.yaml"),
      "apiVersion: kappa.dev/v1alpha1\nkind: Queue\nmetadata: { name: q }\nspec: { visibilityTimeout: 99999 }\n",
    );
    const refused = await dev.kappa(["deploy", join(source, "echo")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /bad\.yaml: Queue\/default\/q: spec\.visibilityTimeout/);
    assert.match(refused.stderr, /nothing was deployed/);
    assert.ok(!existsSync(join(folder, "echo", "bad.yaml")));

    const deleted = await dev.kappa(["delete", "team-a/echo"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.ok(!existsSync(join(folder, "echo", "function.yaml")), "the manifest file is gone");
    const gone = await dev.kappa(["invoke", "team-a/echo"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /ResourceNotFoundException/);
    rmSync(source, { recursive: true, force: true });
  });

  it("creates, lists and revokes API keys as manifests in the folder", async () => {
    const created = await json(["keys", "create", "partner-a", "--description", "test key"]);
    assert.match(String(created.apiKey), /^[A-Za-z0-9_-]{40}$/);
    assert.ok(existsSync(join(folder, "keys", "partner-a.yaml")));
    const listed = await json(["keys", "list"]);
    assert.deepEqual(listed.keys, [
      { name: "default/partner-a", enabled: true, usagePlan: null, description: "test key" },
    ]);
    assert.doesNotMatch(
      JSON.stringify(listed),
      new RegExp(String(created.apiKey)),
      "key values are never listed",
    );
    const twice = await dev.kappa(["keys", "create", "partner-a"]);
    assert.equal(twice.code, 1);
    const revoked = await dev.kappa(["keys", "revoke", "partner-a"]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual((await json(["keys", "list"])).keys, []);
    assert.ok(!existsSync(join(folder, "keys", "partner-a.yaml")));
  });

  it("creates, sends to, receives from, purges and redrives queues through the SQS API", async () => {
    assert.equal((await dev.kappa(["queue", "create", "work-dlq"])).code, 0);
    const created = await dev.kappa([
      "queue",
      "create",
      "work",
      "--dlq",
      "work-dlq",
      "--max-receive",
      "1",
      "--visibility-timeout",
      "0",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await dev.kappa(["queue", "send", "work", "--body", "first"])).code, 0);
    const received = await json(["queue", "receive", "work", "--wait", "5"]);
    assert.equal((received.messages as { Body: string }[])[0]?.Body, "first");
    // Received once with maxReceiveCount 1 and never deleted: the next receive moves it to the DLQ.
    await json(["queue", "receive", "work", "--wait", "1"]);
    const dead = await eventually("the message in the DLQ", async () => {
      const out = await json(["queue", "list"]);
      const dlq = (out.queues as { name: string; visible: number }[]).find((q) => q.name === "work-dlq");
      return dlq && dlq.visible === 1 ? dlq : undefined;
    });
    assert.equal(dead.visible, 1);
    assert.equal((await dev.kappa(["queue", "redrive", "work-dlq"])).code, 0);
    const back = await eventually("the message back in its source queue", async () => {
      const out = await json(["queue", "receive", "work", "--wait", "2", "--delete"]);
      const messages = out.messages as { Body: string }[];
      return messages.length > 0 ? messages : undefined;
    });
    assert.equal(back[0]?.Body, "first");
    assert.equal((await dev.kappa(["queue", "send", "work", "--body", "second"])).code, 0);
    assert.equal((await dev.kappa(["queue", "purge", "work"])).code, 0);
    const empty = await json(["queue", "receive", "work", "--wait", "1"]);
    assert.deepEqual(empty.messages, []);
    const missing = await dev.kappa(["queue", "send", "nope", "--body", "x"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /queue nope does not exist/);
  });

  it("prints a function's logs, one JSON object per line with -o json", async () => {
    await json(["invoke", "hello"]);
    const lines = await eventually("log lines", async () => {
      const result = await dev.kappa(["-o", "json", "logs", "hello", "--tail", "200"]);
      const parsed = result.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      return parsed.some((l) => l.requestId && String(l.message ?? l.msg).includes("greeting world"))
        ? parsed
        : undefined;
    });
    assert.ok(lines.length > 0);
    const human = await dev.kappa(["logs", "hello", "--tail", "5"]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^\d{4}-\d\d-\d\dT\S+ info \[[0-9a-f]{8}\] greeting world$/m);
  });

  it("follows logs with -f until Ctrl-C", async () => {
    const follower = spawn(
      process.execPath,
      kappaArgs(["--home", dev.home, "logs", "hello", "-f", "--tail", "0"]),
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    let followed = "";
    follower.stdout.on("data", (c: Buffer) => (followed += c.toString()));
    const exited = new Promise<number | null>((resolve) => follower.on("exit", (code) => resolve(code)));
    try {
      // Keep invoking until the follower (which may still be starting) has printed a new line.
      await eventually("a followed log line", async () => {
        await json(["invoke", "hello", "--data", '{"queryStringParameters":{"name":"Follower"}}']);
        return followed.includes("greeting Follower") ? true : undefined;
      });
    } finally {
      follower.kill("SIGINT");
    }
    assert.equal(await exited, 0, "Ctrl-C ends -f cleanly");
  });

  it("deploys a single manifest whose code.path keeps pointing at its code", async () => {
    const source = mkdtempSync(join(tmpdir(), "kappa-deploy-file-"));
    mkdirSync(join(source, "code"));
    writeFileSync(
      join(source, "code", "index.mjs"),
      "export const handler = async () => ({ from: 'single file' });\n",
    );
    writeFileSync(
      join(source, "single.yaml"),
      "apiVersion: kappa.dev/v1alpha1\nkind: Function\nmetadata: { name: single }\nspec: { runtime: nodejs20, handler: index.handler, code: { path: ./code } }\n",
    );
    const deployed = await dev.kappa(["deploy", join(source, "single.yaml")]);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(
      readFileSync(join(folder, "single.yaml"), "utf8"),
      new RegExp(`path: ${join(source, "code")}`),
    );
    assert.deepEqual((await json(["invoke", "single"])).payload, { from: "single file" });
    assert.equal((await dev.kappa(["delete", "single"])).code, 0);
    rmSync(source, { recursive: true, force: true });
  });

  it("stops everything on SIGTERM: instances, redis, state file", async () => {
    const { redisUrl } = dev.state;
    assert.ok(await reachable(redisUrl), "private redis runs while kappa dev runs");
    const statePath = join(dev.home, "dev", "state.json");
    assert.ok(existsSync(statePath));
    const home = dev.home;
    const code = await dev.stop();
    assert.equal(code, 0);
    assert.equal(await reachable(redisUrl), false, "the private redis is stopped");
    assert.equal(await reachable(dev.state.httpUrl), false, "the gateway is stopped");
    assert.ok(!existsSync(join(home, "dev", "state.json")));
  });
});

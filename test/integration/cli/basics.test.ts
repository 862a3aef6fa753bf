// The CLI's contract with scripts and people, without a running platform: help with examples on every command,
// exit codes (0 ok, 1 failure, 2 usage), clear errors, and completion scripts that the shells accept.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { newHome, runKappa } from "./kappa-process.js";

const COMMANDS = [
  ["dev"],
  ["deploy"],
  ["invoke"],
  ["logs"],
  ["list"],
  ["describe"],
  ["delete"],
  ["queue"],
  ["keys"],
  ["env"],
  ["completion"],
];

describe("kappa without a running platform", () => {
  it("prints help with examples for the program and every command, exit 0", async () => {
    const top = await runKappa(["--help"]);
    assert.equal(top.code, 0);
    for (const [name] of COMMANDS)
      assert.match(top.stdout, new RegExp(`\\n  ${name}\\b`), `top-level help lists ${name}`);
    for (const command of COMMANDS) {
      const help = await runKappa([...command, "--help"]);
      assert.equal(help.code, 0, `${command.join(" ")} --help exits 0`);
      assert.match(help.stdout, /Examples:/, `${command.join(" ")} --help has examples`);
    }
  });

  it("exits 2 on a usage error and 1 when there is nothing to talk to", async () => {
    const unknown = await runKappa(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);

    const missingArg = await runKappa(["invoke"]);
    assert.equal(missingArg.code, 2);
    assert.match(missingArg.stderr, /missing required argument 'function'/);

    const badName = await runKappa(["--home", newHome(), "invoke", "Not_A_Name"]);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /not a function name/);

    const badOutput = await runKappa(["--home", newHome(), "-o", "xml", "list"]);
    assert.equal(badOutput.code, 2);
    assert.match(badOutput.stderr, /-o\/--output must be json, yaml or table/);

    const noDev = await runKappa(["--home", newHome(), "list"]);
    assert.equal(noDev.code, 1);
    assert.match(noDev.stderr, /no local Kappa is running.*kappa dev/s);
    assert.doesNotMatch(noDev.stderr, /\n\s+at /, "no stack trace");

    const cluster = await runKappa(["--home", newHome(), "--cluster", "list"]);
    assert.equal(cluster.code, 1);
    assert.match(cluster.stderr, /the cluster half comes with the operator; set --local or run kappa dev/);
  });

  it("rejects bad dev flags before starting anything", async () => {
    const badPort = await runKappa(["--home", newHome(), "dev", "--dir", "examples", "--port", "99999"]);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be a port number/);
    const badKey = await runKappa([
      "--home",
      newHome(),
      "dev",
      "--dir",
      "examples",
      "--access-key",
      "nocolon",
    ]);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /--access-key must be ID:SECRET/);
    const noDir = await runKappa(["--home", newHome(), "dev", "--dir", "/nonexistent/folder"]);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /is not a folder/);
  });

  it("says how to install redis-server when there is none, exit 1", async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), "kappa-no-redis-"));
    const result = await runKappa(
      ["--home", newHome(), "dev", "--dir", "examples", "--port", "0", "--api-port", "0"],
      { env: { PATH: emptyPath } },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /sudo apt-get install redis-server/);
    assert.match(result.stderr, /brew install redis/);
  });

  it("says which flag to change when a port is taken, exit 1", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const result = await runKappa([
        "--home",
        newHome(),
        "dev",
        "--dir",
        "examples",
        "--port",
        "0",
        "--api-port",
        String(taken),
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`port ${taken} is already in use.*--api-port <other port>`));
    } finally {
      blocker.close();
    }
  });

  it("prints bash and zsh completion scripts that the shells parse", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kappa-completion-"));
    for (const shell of ["bash", "zsh"] as const) {
      const result = await runKappa(["completion", shell]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /complete -o default -F _kappa kappa/);
      assert.match(result.stdout, /"kappa queue"\) words="list create send receive purge redrive/);
      const file = join(dir, `kappa.${shell}`);
      writeFileSync(file, result.stdout);
      const check = spawnSync("bash", ["-n", file]);
      assert.equal(check.status, 0, `bash -n accepts the ${shell} script: ${check.stderr}`);
    }
    // The bash script completes a sub-command for real.
    const script = (await runKappa(["completion", "bash"])).stdout;
    const probe = spawnSync("bash", [
      "-c",
      `${script}\nCOMP_WORDS=(kappa queue re); COMP_CWORD=2; _kappa; echo "\${COMPREPLY[@]}"`,
    ]);
    assert.equal(probe.stdout.toString().trim(), "receive redrive");
    const unsupported = await runKappa(["completion", "fish"]);
    assert.equal(unsupported.code, 2);
  });
});

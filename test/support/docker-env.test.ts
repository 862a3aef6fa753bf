import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEnvFile } from "./docker-env.js";

test("parseEnvFile reads KEY=VALUE lines and skips blanks, comments and junk", () => {
  const text =
    "# written by docker-up.sh\nDOCKER_HOST=unix:///run/kappa-docker.sock\n\nA=b=c\nnot a pair\n=x\n";
  assert.deepEqual(parseEnvFile(text), { DOCKER_HOST: "unix:///run/kappa-docker.sock", A: "b=c" });
});

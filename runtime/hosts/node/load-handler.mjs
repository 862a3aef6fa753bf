// Finds and loads the handler named by _HANDLER ("src/app.handler", "index.nested.fn") from the task root,
// as CommonJS or as an ES module, and maps failures to Lambda's init error types.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InitError } from "./errors.mjs";

export function splitHandler(handler) {
  const slash = handler.lastIndexOf("/");
  const dot = handler.indexOf(".", slash + 1);
  if (dot === -1) throw new InitError("Runtime.MalformedHandlerName", `Bad handler ${handler}`);
  return { modulePath: handler.slice(0, dot), functionPath: handler.slice(dot + 1).split(".") };
}

// Node decides the format of a .js file by the nearest package.json, wherever it is: so do we.
function isEsmPackage(fromDir) {
  let dir = fromDir;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, "utf8")).type === "module";
      } catch {
        return false;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function findModuleFile(root, modulePath) {
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = resolve(root, modulePath + ext);
    if (existsSync(file)) return file;
  }
  return undefined;
}

async function importModule(root, file) {
  const esm = file.endsWith(".mjs") || (file.endsWith(".js") && isEsmPackage(dirname(file)));
  if (esm) return import(pathToFileURL(file).href);
  return createRequire(join(root, "noop.js"))(file);
}

export async function loadHandler(root, handler) {
  const { modulePath, functionPath } = splitHandler(handler);
  const file = findModuleFile(root, modulePath);
  if (!file) {
    throw new InitError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${modulePath}'\nRequire stack:\n- ${root}`,
    );
  }
  let mod;
  try {
    mod = await importModule(root, file);
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new InitError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`, err);
    if (err && (err.code === "MODULE_NOT_FOUND" || err.code === "ERR_MODULE_NOT_FOUND")) {
      throw new InitError("Runtime.ImportModuleError", `Error: ${err.message}`, err);
    }
    throw err;
  }
  let fn = mod;
  for (const key of functionPath) fn = fn?.[key];
  // An ES module imported from CommonJS-style exports may sit under `default`.
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const key of functionPath) fn = fn?.[key];
  }
  if (fn === undefined) {
    throw new InitError(
      "Runtime.HandlerNotFound",
      `${modulePath}.${functionPath.join(".")} is undefined or not exported`,
    );
  }
  if (typeof fn !== "function") {
    throw new InitError(
      "Runtime.HandlerNotFound",
      `${modulePath}.${functionPath.join(".")} is not a function`,
    );
  }
  return fn;
}

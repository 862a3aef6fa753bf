// Lint rules, including the architecture's dependency rules (STYLE.md §2):
// the gateway never imports the controller, the runtime imports nothing of the platform but api/,
// the queue engine is a library that knows nothing of the gateway or controller.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const forbid = (...parts) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: parts.map((part) => ({
        group: [`**/${part}/*`, `../${part}/*`, `../../${part}/*`],
        message: `this part may not import ${part}/ (see docs/architecture.md, dependency rules)`,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "**/fixtures/**", "charts/**", "examples/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        AbortController: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        fetch: "readonly",
        structuredClone: "readonly",
        performance: "readonly",
        AbortSignal: "readonly",
        queueMicrotask: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  { files: ["gateway/**/*.ts"], rules: forbid("controller", "cli") },
  { files: ["runtime/**/*.ts"], rules: forbid("controller", "gateway", "queue", "cli") },
  { files: ["queue/**/*.ts"], rules: forbid("controller", "gateway", "runtime", "cli") },
  { files: ["api/**/*.ts"], rules: forbid("controller", "gateway", "queue", "runtime", "cli") },
  { files: ["controller/**/*.ts"], rules: forbid("gateway", "cli") },
);

// The public face of api/: every resource's schema and type, and the contracts between parts.
export * from "./resources/index.js";
export * from "./agent.js";
export * from "./instances.js";
export * from "./store.js";
export * from "./validate.js";
export * from "./schedule-expression.js";
export { renderAllCrds, buildCrd, crdFileName } from "./crds.js";

export * from "./app.js";
export * from "./auth.js";
export * from "./body-fast-path.js";
export * from "./errors.js";

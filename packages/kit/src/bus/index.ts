export * from "./bus.js";
export * from "./server-config.js";

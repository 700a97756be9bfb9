export * from "./env.js";
export * from "./node-config.js";

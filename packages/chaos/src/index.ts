export * from "./fuzz/run.js";
export * from "./fuzz/targets.js";

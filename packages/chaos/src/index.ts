export * from "./fuzz/run.js";
export * from "./fuzz/targets.js";
export * from "./runner/manifest.js";
export * from "./runner/runner.js";
export * from "./runner/schedule.js";

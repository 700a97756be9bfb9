export * from "./main.js";
export * from "./runtime.js";

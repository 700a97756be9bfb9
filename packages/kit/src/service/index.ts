export * from "./main.js";
export * from "./network.js";
export * from "./runtime.js";
export * from "./startup.js";
export * from "./supervision.js";

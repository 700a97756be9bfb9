export * from "./bus/index.js";
export * from "./config/index.js";
export * from "./http/index.js";
export * from "./lifecycle/index.js";
export * from "./log/index.js";
export * from "./service/index.js";
export * from "./store/index.js";
export * from "./threads/index.js";

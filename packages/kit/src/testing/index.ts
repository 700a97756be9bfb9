export * from "./bench.js";
export * from "./long.js";
export * from "./nats.js";
export * from "./service.js";
export * from "./service-suite.js";

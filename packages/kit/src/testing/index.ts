export * from "./nats.js";
export * from "./service.js";

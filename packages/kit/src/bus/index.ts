export * from "./bus.js";
export { natsServerConfig } from "./nats-config.js";

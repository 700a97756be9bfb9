export * from "./chain.js";
export * from "./errors.js";
export * from "./genesis.js";
export * from "./info.js";
export * from "./ports.js";
export * from "./roles.js";
export * from "./subjects.js";
export * from "./dht.js";

export * from "./compose.js";
export * from "./devnet.js";
export * from "./genesis.js";
export * from "./layout.js";
export * from "./partition.js";
export * from "./processes.js";
export * from "./state.js";
export * from "./table.js";

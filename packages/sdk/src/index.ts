export * from "./chain-client.js";
export * from "./compute-client.js";
export * from "./http.js";
export * from "./node-client.js";
export * from "./service-client.js";

export * from "./identity.js";

export * from "./sqlite.js";

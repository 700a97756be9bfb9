export { SPEND_CONSTRAINTS, SpendAir, spendConstraintName } from "./air.js";
export * from "./hash.js";
export {
  ACTIVE_ROWS as SPEND_ACTIVE_ROWS,
  DEPTH as TREE_DEPTH,
  TRACE_LENGTH as SPEND_TRACE_LENGTH,
} from "./layout.js";
export * from "./statement.js";
export * from "./trace.js";
export * from "./values.js";

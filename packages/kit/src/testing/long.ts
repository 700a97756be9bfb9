/**
 * `P2PNODE_LONG=1` selects the long forms of tests (more transfers, more kills, bigger networks).
 * CI runs the short forms, so the whole suite stays within its time budget on 2 cores; a test
 * with a long form reads its sizes from here and its README reports the long form's numbers.
 */
export const LONG_TESTS = process.env.P2PNODE_LONG === "1";

/** `short` in CI, `long` under P2PNODE_LONG=1. */
export function longOr<T>(short: T, long: T): T {
  return LONG_TESTS ? long : short;
}

import { type Ext, eAdd, eMul, eSub } from "./ext.js";
import { add, mul, sub } from "./field.js";

/**
 * Arithmetic the constraint code is written against, so that one `evalTransition` serves the
 * prover (base field, on the low-degree extension) and the verifier (extension field, at z).
 */
export interface FieldOps<E> {
  add(a: E, b: E): E;
  sub(a: E, b: E): E;
  mul(a: E, b: E): E;
  /** A base-field constant lifted into E. */
  constant(c: number): E;
}

export const BASE_OPS: FieldOps<number> = { add, sub, mul, constant: (c) => c };
export const EXT_OPS: FieldOps<Ext> = { add: eAdd, sub: eSub, mul: eMul, constant: (c) => [c, 0, 0, 0] };

/** trace[column][row] = value, the one place a boundary constraint pins. */
export interface BoundaryConstraint {
  column: number;
  row: number;
  value: number;
}

/**
 * An algebraic intermediate representation: a trace of `width` columns and `traceLength` rows
 * (a power of two), transition constraints over (row, next row) that must vanish on every row
 * but the last, and boundary constraints. Periodic columns are public columns that repeat with
 * a power-of-two period (round constants, selectors); they enter constraints like trace cells.
 *
 * `constraintDegree` bounds every transition constraint's degree as a polynomial in x once
 * trace polynomials of degree < n are substituted, in units of n (e.g. 3 for a cube of a cell,
 * or for a degree-2 product times a periodic selector). The blowup must be at least this.
 */
export interface Air {
  readonly id: string;
  readonly width: number;
  readonly traceLength: number;
  readonly constraintDegree: number;
  readonly numTransitionConstraints: number;
  readonly periodicColumns: readonly Uint32Array[];
  readonly boundary: readonly BoundaryConstraint[];
  /**
   * Rows the computation determines (default: all). Rows from `activeRows` on may hold anything
   * that keeps the transitions true; zero-knowledge mode needs room there for its random rows
   * (zk.ts), so an AIR that leaves none cannot be proved in ZK mode.
   */
  readonly activeRows?: number;
  /** Everything public that the statement depends on, as field elements (absorbed by Fiat–Shamir). */
  publicInputWords(): number[];
  evalTransition<E>(
    F: FieldOps<E>,
    cur: readonly E[],
    next: readonly E[],
    periodic: readonly E[],
    out: E[],
  ): void;
  /**
   * Optional allocation-free base-field version of `evalTransition` for the prover's hot loop
   * (2^18+ calls). It must compute exactly the same values; the AIR's tests check that.
   */
  evalTransitionBase?(
    cur: readonly number[],
    next: readonly number[],
    periodic: readonly number[],
    out: number[],
  ): void;
}

/**
 * Evaluates every enforced transition constraint (from rows before the last `tail`, see
 * zk.ts) and every boundary constraint; returns the first failure.
 */
export function findViolation(
  air: Air,
  trace: readonly Uint32Array[],
  tail = 1,
): { row: number; constraint: number } | { row: number; column: number; boundary: true } | undefined {
  const n = air.traceLength;
  const cur: number[] = new Array(air.width);
  const next: number[] = new Array(air.width);
  const per: number[] = new Array(air.periodicColumns.length);
  const out: number[] = new Array(air.numTransitionConstraints).fill(0);
  for (let r = 0; r < n - tail; r++) {
    for (let c = 0; c < air.width; c++) {
      cur[c] = trace[c]![r]!;
      next[c] = trace[c]![r + 1]!;
    }
    air.periodicColumns.forEach((col, k) => {
      per[k] = col[r % col.length]!;
    });
    if (air.evalTransitionBase) air.evalTransitionBase(cur, next, per, out);
    else air.evalTransition(BASE_OPS, cur, next, per, out);
    const bad = out.findIndex((v) => v !== 0);
    if (bad >= 0) return { row: r, constraint: bad };
  }
  for (const b of air.boundary) {
    if (trace[b.column]![b.row] !== b.value) return { row: b.row, column: b.column, boundary: true };
  }
  return undefined;
}

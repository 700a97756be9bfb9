import type { Air, BoundaryConstraint, FieldOps } from "../air.js";
import { StarkError } from "../errors.js";
import { add, P } from "../field.js";

/**
 * Fibonacci over two columns: (a, b) → (b, a + b), starting from (1, 1); the public input is the
 * value in column b of the last row. Degree 1; the AIR the tests use to exercise the protocol.
 */
export interface FibonacciPublic {
  traceLength: number;
  result: number;
}

export class FibonacciAir implements Air {
  readonly id = "fibonacci/v1";
  readonly width = 2;
  readonly constraintDegree = 1;
  readonly numTransitionConstraints = 2;
  readonly periodicColumns: readonly Uint32Array[] = [];
  readonly boundary: readonly BoundaryConstraint[];
  readonly traceLength: number;

  constructor(readonly pub: FibonacciPublic) {
    checkLength(pub.traceLength);
    if (!Number.isInteger(pub.result) || pub.result < 0 || pub.result >= P)
      throw new StarkError("BAD_PARAMETERS", "fibonacci result must be a field element");
    this.traceLength = pub.traceLength;
    this.boundary = [
      { column: 0, row: 0, value: 1 },
      { column: 1, row: 0, value: 1 },
      { column: 1, row: pub.traceLength - 1, value: pub.result },
    ];
  }

  publicInputWords(): number[] {
    return [this.traceLength, this.pub.result];
  }

  evalTransition<E>(F: FieldOps<E>, cur: readonly E[], next: readonly E[], _p: readonly E[], out: E[]): void {
    out[0] = F.sub(next[0]!, cur[1]!);
    out[1] = F.sub(next[1]!, F.add(cur[0]!, cur[1]!));
  }
}

export function fibonacciTrace(traceLength: number): Uint32Array[] {
  checkLength(traceLength);
  const a = new Uint32Array(traceLength);
  const b = new Uint32Array(traceLength);
  a[0] = 1;
  b[0] = 1;
  for (let i = 1; i < traceLength; i++) {
    a[i] = b[i - 1]!;
    b[i] = add(a[i - 1]!, b[i - 1]!);
  }
  return [a, b];
}

function checkLength(n: number): void {
  if (!Number.isInteger(n) || n < 8 || n > 2 ** 22 || (n & (n - 1)) !== 0)
    throw new StarkError("BAD_PARAMETERS", `trace length ${n} must be a power of two in [8, 2^22]`);
}

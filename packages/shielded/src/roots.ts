import type { Digest } from "@p2pnode/stark";
import { concat, DIGEST_BYTES, digestFromBytes, digestToBytes, equalDigests } from "./bytes.js";
import { ShieldedError } from "./errors.js";

/** How many recent tree roots a spend may use as its anchor (Tornado Cash keeps 30 per insert). */
export const DEFAULT_ROOT_WINDOW = 100;

/**
 * The recent roots of the commitment tree that spends may anchor to: the chain pushes the root
 * after each block and pops it when the block is disconnected. A push that evicts the oldest
 * root returns it; handing it back to `pop` restores the window exactly, so the evicted root
 * is the block's undo data. Serializable for the store (`encode`/`decode`).
 */
export class RootWindow {
  private readonly roots: Digest[];

  constructor(
    readonly capacity = DEFAULT_ROOT_WINDOW,
    roots: readonly Digest[] = [],
  ) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 65535)
      throw new ShieldedError("MALFORMED", "root window capacity must be in [1, 65535]");
    if (roots.length > capacity) throw new ShieldedError("MALFORMED", "more roots than the window holds");
    this.roots = [...roots];
  }

  has(root: Digest): boolean {
    return this.roots.some((r) => equalDigests(r, root));
  }

  latest(): Digest | undefined {
    return this.roots[this.roots.length - 1];
  }

  list(): readonly Digest[] {
    return this.roots;
  }

  /** Adds the newest root; returns the root it evicted (undo data), if any. */
  push(root: Digest): Digest | undefined {
    this.roots.push(root);
    return this.roots.length > this.capacity ? this.roots.shift() : undefined;
  }

  /** Removes the newest root (a disconnected block), restoring `evicted` at the old end. */
  pop(evicted?: Digest): Digest {
    const top = this.roots.pop();
    if (!top) throw new ShieldedError("MALFORMED", "the root window is empty");
    if (evicted) this.roots.unshift(evicted);
    return top;
  }

  /** u16 capacity, u16 count (big-endian), then the roots oldest first. */
  encode(): Uint8Array {
    const head = new Uint8Array(4);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, this.capacity, false);
    dv.setUint16(2, this.roots.length, false);
    return concat(head, ...this.roots.map(digestToBytes));
  }

  static decode(bytes: Uint8Array): RootWindow {
    if (!(bytes instanceof Uint8Array) || bytes.length < 4)
      throw new ShieldedError("MALFORMED", "root window truncated");
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const capacity = dv.getUint16(0, false);
    const count = dv.getUint16(2, false);
    if (bytes.length !== 4 + count * DIGEST_BYTES)
      throw new ShieldedError("MALFORMED", "root window of the wrong size");
    const roots = Array.from({ length: count }, (_, i) =>
      digestFromBytes(bytes.subarray(4 + i * DIGEST_BYTES, 4 + (i + 1) * DIGEST_BYTES), "root"),
    );
    return new RootWindow(capacity, roots);
  }
}

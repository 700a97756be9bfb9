import { equalBytes } from "@p2pnode/codec";

/**
 * A Map keyed by bytes (account addresses, the mempool's signatures), for the commit path's
 * per-tx lookups. A string key
 * costs a hex or latin1 conversion per lookup (~0.3-0.5 µs here; a 1,000-transfer block makes
 * ~6,000 of them); this keys a numeric Map by the first 6 bytes and compares the whole key.
 * Keys sharing their first 6 bytes (anyone can grind addresses that do) share a slot as a short
 * list: found correctly, only slower. Keys are copied on insert: a key that is a view into a block
 * body must not keep the body alive — unless `borrowKeys`, for a map that lives no longer than
 * its keys' buffers (one block's state overlay), where the copy is only garbage. Iteration
 * follows slot insertion order.
 */
export class BytesMap<V> {
  private readonly slots = new Map<number, Node<V>>();
  private count = 0;

  constructor(private readonly o: { borrowKeys?: boolean } = {}) {}

  get size(): number {
    return this.count;
  }

  get(key: Uint8Array): V | undefined {
    for (let n = this.slots.get(slotOf(key)); n; n = n.next) if (equalBytes(n.key, key)) return n.value;
    return undefined;
  }

  /** get(bytes.subarray(start)) without making the view (a lookup per tx frame of a block). */
  getSuffix(bytes: Uint8Array, start: number): V | undefined {
    for (let n = this.slots.get(slotOf(bytes, start)); n; n = n.next)
      if (equalSuffix(n.key, bytes, start)) return n.value;
    return undefined;
  }

  has(key: Uint8Array): boolean {
    for (let n = this.slots.get(slotOf(key)); n; n = n.next) if (equalBytes(n.key, key)) return true;
    return false;
  }

  set(key: Uint8Array, value: V): void {
    const slot = slotOf(key);
    const head = this.slots.get(slot);
    let last: Node<V> | undefined;
    for (let n = head; n; n = n.next) {
      if (equalBytes(n.key, key)) {
        n.value = value;
        return;
      }
      last = n;
    }
    // new Uint8Array(view) copies; a Buffer's slice() would not.
    const node: Node<V> = { key: this.o.borrowKeys ? key : new Uint8Array(key), value, next: undefined };
    if (last) last.next = node;
    else this.slots.set(slot, node);
    this.count++;
  }

  delete(key: Uint8Array): boolean {
    const slot = slotOf(key);
    let prev: Node<V> | undefined;
    for (let n = this.slots.get(slot); n; prev = n, n = n.next) {
      if (!equalBytes(n.key, key)) continue;
      if (prev) prev.next = n.next;
      else if (n.next) this.slots.set(slot, n.next);
      else this.slots.delete(slot);
      this.count--;
      return true;
    }
    return false;
  }

  /** Drops the entries of the oldest slot (a bounded cache's eviction); how many it dropped. */
  deleteOldest(): number {
    const first = this.slots.entries().next();
    if (first.done) return 0;
    let dropped = 0;
    for (let n: Node<V> | undefined = first.value[1]; n; n = n.next) dropped++;
    this.slots.delete(first.value[0]);
    this.count -= dropped;
    return dropped;
  }

  clear(): void {
    this.slots.clear();
    this.count = 0;
  }

  /** Calls `fn` on each value, in slot insertion order (no iterator objects: the commit path's). */
  forEach(fn: (value: V) => void): void {
    this.forEachEntry((_, value) => fn(value));
  }

  /** Calls `fn` on each key and value, in slot insertion order. */
  forEachEntry(fn: (key: Uint8Array, value: V) => void): void {
    this.slots.forEach((head) => {
      for (let n: Node<V> | undefined = head; n; n = n.next) fn(n.key, n.value);
    });
  }

  /** The values, in slot insertion order. */
  values(): V[] {
    const out: V[] = [];
    this.forEach((v) => {
      out.push(v);
    });
    return out;
  }
}

interface Node<V> {
  key: Uint8Array;
  value: V;
  next: Node<V> | undefined;
}

function equalSuffix(key: Uint8Array, bytes: Uint8Array, start: number): boolean {
  if (key.length !== bytes.length - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== bytes[start + i]) return false;
  return true;
}

/**
 * The key's first 6 bytes as a number (fewer for a shorter key; the comparison tells lengths
 * apart); the key is `k` from `start` on (getSuffix's lookup without a view).
 */
function slotOf(k: Uint8Array, start = 0): number {
  const s = start;
  if (k.length - s >= 6)
    return (
      (k[s]! * 0x10000 + k[s + 1]! * 0x100 + k[s + 2]!) * 0x1000000 +
      (k[s + 3]! * 0x10000 + k[s + 4]! * 0x100 + k[s + 5]!)
    );
  let v = 0;
  for (let i = s; i < k.length; i++) v = v * 0x100 + k[i]!;
  return v;
}

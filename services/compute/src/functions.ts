import { decodeFunction, encodeFunction, toHex } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";
import type { Logger } from "@p2pnode/kit";
import {
  COMPUTE_MAX_SOURCE_BYTES,
  CodedError,
  type ComputeFunction,
  type FunctionLimits,
} from "@p2pnode/types";
import { ComputeError } from "./errors.js";
import type { SandboxPool } from "./sandbox/sandbox-pool.js";
import type { ComputeStore, StoredFunction } from "./store.js";

/** What the registry needs of the DHT: content-addressed put and get (dht.v1.value.*). */
export interface DhtPort {
  /** Stores the bytes under SHA-256(bytes); resolves with the remote copies made. */
  put(bytes: Uint8Array): Promise<number>;
  get(hash: string): Promise<Uint8Array | undefined>;
}

/** Top-level code of a source runs at registration under these caps (it only has to yield a function). */
const CHECK_BUDGET = 50_000_000;
const CHECK_DEADLINE_MS = 5_000;

/**
 * Functions by content hash: checked in the sandbox at registration, kept in the store, published
 * to the DHT so any node can fetch one and verify it by hashing.
 */
export class FunctionRegistry {
  constructor(private readonly m: { store: ComputeStore; pool: SandboxPool; dht: DhtPort; log: Logger }) {}

  async register(source: string, limits: FunctionLimits): Promise<StoredFunction> {
    const size = Buffer.byteLength(source);
    if (size > COMPUTE_MAX_SOURCE_BYTES)
      throw new CodedError(
        "PAYLOAD_TOO_LARGE",
        `source is ${size} bytes; the limit is ${COMPUTE_MAX_SOURCE_BYTES}`,
        { size, limit: COMPUTE_MAX_SOURCE_BYTES },
        413,
      );
    const check = await this.m.pool.run({
      source,
      checkOnly: true,
      limits: {
        memoryBytes: limits.memoryBytes,
        budget: Math.min(limits.budget, CHECK_BUDGET),
        deadlineMs: Math.min(limits.timeoutMs, CHECK_DEADLINE_MS),
      },
    });
    if (!check.ok)
      throw new ComputeError(
        check.code,
        check.message,
        undefined,
        check.code === "TIMEOUT" ? 400 : undefined,
      );
    const encoded = encodeFunction({ source, limits });
    const hash = toHex(sha256(encoded));
    const existing = this.m.store.getFunction(hash);
    if (existing && existing.dhtReplicas > 0) return existing;
    const fn: StoredFunction = {
      hash,
      source,
      limits,
      encoded,
      registeredAt: existing?.registeredAt ?? Date.now(),
      dhtReplicas: await this.publish(encoded, hash),
    };
    this.m.store.putFunction(fn);
    return this.m.store.getFunction(hash)!;
  }

  /** From the store, else from the DHT (verified by hash, then stored). */
  async get(hash: string): Promise<StoredFunction> {
    const local = this.m.store.getFunction(hash);
    if (local) return local;
    const bytes = await this.m.dht.get(hash).catch(() => undefined);
    if (!bytes) throw new ComputeError("UNKNOWN_FUNCTION", `no function ${hash} here or in the DHT`);
    if (toHex(sha256(bytes)) !== hash)
      throw new ComputeError("HASH_MISMATCH", `the DHT returned bytes that do not hash to ${hash}`);
    const def = decodeFunction(bytes);
    const fn: StoredFunction = { hash, ...def, encoded: bytes, registeredAt: Date.now(), dhtReplicas: 0 };
    this.m.store.putFunction(fn);
    return fn;
  }

  local(hash: string): StoredFunction | undefined {
    return this.m.store.getFunction(hash);
  }

  /** Best effort: the function is stored here either way; 0 copies when the DHT is unreachable. */
  private async publish(encoded: Uint8Array, hash: string): Promise<number> {
    try {
      return await this.m.dht.put(encoded);
    } catch (err) {
      this.m.log.warn({ hash, err: (err as Error).message }, "function not published to the DHT");
      return 0;
    }
  }
}

export function functionView(f: StoredFunction): ComputeFunction {
  return {
    hash: f.hash,
    source: f.source,
    limits: f.limits,
    encodedBytes: f.encoded.length,
    registeredAt: f.registeredAt,
    dhtReplicas: f.dhtReplicas,
  };
}

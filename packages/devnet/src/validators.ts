import { mkdirSync } from "node:fs";
import { loadOrCreateIdentity } from "@p2pnode/crypto";
import type { Genesis, Role } from "@p2pnode/types";
import { devnetGenesis } from "./genesis.js";
import type { DevnetNode } from "./layout.js";
import { MAX_NODES } from "./layout.js";

/** Roles of a dolev-strong devnet: the first V validate, the last L are light, the rest full nodes. */
export function validatorRoles(
  nodes: number,
  validators: number,
  miners: number | undefined,
  light: number,
): Role[] {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new RangeError(`--nodes must be an integer from 1 to ${MAX_NODES}, got ${nodes}`);
  }
  if (!Number.isInteger(validators) || validators < 1)
    throw new RangeError("--validators must be a positive integer");
  if (miners !== undefined && miners > 0) {
    throw new RangeError(
      "--miners and --validators exclude each other: a validator network has no proof of work",
    );
  }
  if (!Number.isInteger(light) || light < 0) throw new RangeError("--light must be a non-negative integer");
  if (validators + light > nodes) {
    throw new RangeError(`--validators ${validators} + --light ${light} is more than --nodes ${nodes}`);
  }
  return Array.from({ length: nodes }, (_, i) =>
    i < validators ? "validator" : i >= nodes - light ? "light" : "full",
  );
}

/** Creates each validator's node identity (its data dir's identity.key) and returns the public keys. */
export function validatorKeys(nodes: DevnetNode[]): string[] {
  return nodes
    .filter((n) => n.role === "validator")
    .map((n) => {
      mkdirSync(n.dataDir, { recursive: true, mode: 0o700 });
      return Buffer.from(loadOrCreateIdentity(n.dataDir).publicKey).toString("hex");
    });
}

/**
 * A dolev-strong devnet genesis: the validators' identity keys, f = ⌊(n − 1)/2⌋ (so n ≥ 2f + 1
 * and certificates keep coming with f validators down), Δ = `roundMs`, slots of f + 2 rounds.
 * The proof-of-work fields stay (the header format has them); the target is the easiest.
 * Without a faucet, nothing is allocated: block rewards go to the validators' identity addresses.
 */
export function validatorGenesis(
  chainId: string,
  faucet: string | undefined,
  keys: string[],
  roundMs = 1_000,
): Genesis {
  const f = Math.floor((keys.length - 1) / 2);
  const slotMs = (f + 2) * roundMs;
  const g = devnetGenesis(chainId, Date.now(), faucet);
  return {
    ...g,
    consensus: {
      ...g.consensus,
      kind: "dolev-strong",
      f,
      roundMs,
      slotMs,
      targetBlockTimeMs: slotMs,
      initialTarget: "f".repeat(64),
    },
    validators: keys.map((publicKey) => ({ publicKey })),
  };
}

import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { Genesis, MAX_VALIDATORS } from "@p2pnode/types";
import { DevnetError } from "./devnet.js";
import { validatorGenesis } from "./validators.js";

/** The file of validator i's identity seed; Compose mounts it, Kubernetes puts it in a Secret. */
export const validatorKeyFile = (i: number): string => `validator-${i}.key`;
export const VALIDATOR_GENESIS_FILE = "genesis.json";

export interface ValidatorNetworkOptions {
  validators: number;
  chainId: string;
  /** Δ in ms (default 1,000); slots of (f + 2)·Δ with f = ⌊(V − 1)/2⌋, as `devnet up --validators`. */
  roundMs?: number;
}

export interface ValidatorNetworkFiles {
  dir: string;
  genesisFile: string;
  keyFiles: string[];
  publicKeys: string[];
}

/**
 * Writes a dolev-strong network for a deployment (Compose, Kubernetes): a new identity seed per
 * validator, in the format of a node's `identity.key`, and the genesis that lists their public
 * keys. A node started with `P2PNODE_IDENTITY_KEY_FILE` pointing at key i runs as validator i.
 *
 * The folder is 0700, the keys 0644 inside it: a Compose bind mount keeps the host's owner and
 * mode, and the container's user (uid 10001) must read the key; the folder keeps other users of
 * the host out, and the node copies the key into its data dir with mode 0600. It refuses to
 * overwrite a genesis or key, since new keys would make another network.
 */
export function writeValidatorNetwork(dir: string, o: ValidatorNetworkOptions): ValidatorNetworkFiles {
  if (!Number.isInteger(o.validators) || o.validators < 1 || o.validators > MAX_VALIDATORS) {
    throw new DevnetError("BAD_ARGS", `--validators must be an integer from 1 to ${MAX_VALIDATORS}`);
  }
  const genesisFile = join(dir, VALIDATOR_GENESIS_FILE);
  const keyFiles = Array.from({ length: o.validators }, (_, i) => join(dir, validatorKeyFile(i)));
  const taken = [genesisFile, ...keyFiles].find((f) => existsSync(f));
  if (taken) {
    throw new DevnetError(
      "BAD_ARGS",
      `${taken} exists: new keys would make another network; use another --out`,
    );
  }
  const seeds = keyFiles.map(() => randomBytes(32));
  const publicKeys = seeds.map((s) => Buffer.from(nodeKeyFromSeed(s).publicKey).toString("hex"));
  const genesis = validatorGenesis(o.chainId, undefined, publicKeys, o.roundMs);
  const parsed = Genesis.safeParse(genesis);
  if (!parsed.success) {
    throw new DevnetError("BAD_ARGS", `genesis: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  keyFiles.forEach((file, i) => {
    writeFileSync(file, `${seeds[i]!.toString("hex")}\n`, { mode: 0o644, flag: "wx" });
    chmodSync(file, 0o644);
  });
  writeFileSync(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`, { flag: "wx" });
  return { dir, genesisFile, keyFiles, publicKeys };
}

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { type ShieldedTx, signedTransactionFromJson } from "@p2pnode/codec";
import {
  CommitmentTree,
  checkSpendingKey,
  decodeEncryptedNote,
  digestFromBytes,
  digestToBytes,
  type Note,
  nullifierFor,
  type OwnedNote,
  type PreparedSpend,
  randomSpendingKey,
  type ShieldedOutput,
  type SpendingKey,
  scanOutputs,
  viewingKeyOf,
} from "@p2pnode/shielded";
import type { SignedTransactionJson, ZkpSpendWitness } from "@p2pnode/types";
import { CliError } from "../errors.js";

/*
 * The shielded wallet of the CLI: a spending key in a file of mode 0600, and a scan of the
 * chain's blocks that rebuilds the note-commitment tree, finds the key's notes with its viewing
 * key (view tags skip most trial decryptions) and drops those whose nullifier was published.
 */

export function defaultShieldedKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.P2PNODE_SHIELDED_KEY ?? join(homedir(), ".p2pnode", "shielded-key.json");
}

/** Reads the spending key, creating one (mode 0600) when `create` and the file is missing. */
export function loadSpendingKey(file: string, create: boolean): SpendingKey {
  if (!existsSync(file)) {
    if (!create)
      throw new CliError("BAD_ARGS", `no shielded key at ${file}: run \`p2pnode shielded address\``);
    mkdirSync(dirname(file), { recursive: true });
    const sk = randomSpendingKey();
    writeFileSync(file, `${JSON.stringify({ version: 1, sk })}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return sk;
  }
  let sk: unknown;
  try {
    sk = (JSON.parse(readFileSync(file, "utf8")) as { sk?: unknown }).sk;
    checkSpendingKey(sk as SpendingKey);
  } catch {
    throw new CliError("BAD_ARGS", `${file}: not a shielded key file`);
  }
  return sk as SpendingKey;
}

export interface WalletView {
  tree: CommitmentTree;
  /** Unspent notes of the key, oldest first. */
  notes: OwnedNote[];
  scanned: { blocks: number; outputs: number };
}

/** Scans blocks 1..tip (given as their JSON txs) and returns the tree and the key's unspent notes. */
export function scanBlocks(sk: SpendingKey, blocks: Iterable<SignedTransactionJson[]>): WalletView {
  const tree = new CommitmentTree();
  const outputs: ShieldedOutput[] = [];
  const positions: number[] = [];
  const published = new Set<string>();
  let count = 0;
  for (const txs of blocks) {
    count++;
    for (const json of txs) {
      const { tx } = signedTransactionFromJson(json);
      if (tx.kind === "transfer") continue;
      const s = tx as ShieldedTx;
      for (const nf of s.nullifiers) published.add(Buffer.from(nf).toString("hex"));
      s.commitments.forEach((cm, j) => {
        const commitment = digestFromBytes(cm);
        positions.push(tree.append(commitment));
        outputs.push({ commitment, note: decodeEncryptedNote(s.notes[j]!) });
      });
    }
  }
  const found = scanOutputs(viewingKeyOf(sk), outputs).found;
  const notes = found
    .filter((f) => f.note.value > 0n)
    .map((f) => ({ note: f.note, position: positions[f.index]! }))
    .filter((o) => !published.has(nullifierHex(sk, o.note)));
  return { tree, notes, scanned: { blocks: count, outputs: outputs.length } };
}

function nullifierHex(sk: SpendingKey, note: Note): string {
  return Buffer.from(digestToBytes(nullifierFor(sk, note))).toString("hex");
}

/** Picks at most two notes covering `need` (largest first); BAD_ARGS when the notes do not. */
export function pickNotes(notes: readonly OwnedNote[], need: bigint): OwnedNote[] {
  const sorted = [...notes].sort((a, b) =>
    a.note.value > b.note.value ? -1 : a.note.value < b.note.value ? 1 : 0,
  );
  const picked: OwnedNote[] = [];
  let sum = 0n;
  for (const n of sorted.slice(0, 2)) {
    if (sum >= need) break;
    picked.push(n);
    sum += n.note.value;
  }
  if (sum < need) {
    const total = notes.reduce((s, n) => s + n.note.value, 0n);
    throw new CliError(
      "BAD_ARGS",
      total >= need
        ? `the two largest notes hold ${sum}, less than ${need}: send to yourself first to merge notes`
        : `shielded balance ${total} does not cover ${need}`,
    );
  }
  return picked;
}

/** The witness as the zkp service's POST /spends takes it. */
export function witnessJson(p: PreparedSpend, txHash: Uint8Array): ZkpSpendWitness {
  const w = p.witness;
  return {
    inputs: w.inputs.map((i) => ({
      sk: [...i.sk],
      value: i.value.toString(),
      rho: [...i.rho],
      r: [...i.r],
      path: { siblings: i.path.siblings.map((d) => [...d]), position: i.path.position },
      real: i.real,
    })) as ZkpSpendWitness["inputs"],
    outputs: w.outputs.map((o) => ({
      pk: [...o.pk],
      value: o.value.toString(),
      r: [...o.r],
    })) as ZkpSpendWitness["outputs"],
    root: [...w.root],
    publicIn: w.publicIn.toString(),
    publicOut: w.publicOut.toString(),
    fee: w.fee.toString(),
    txHash: Buffer.from(txHash).toString("hex"),
  };
}

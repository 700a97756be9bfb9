import {
  type Digest,
  decodeProof,
  encodeProof,
  KEY_WORDS,
  type MerklePath,
  nullifierOf,
  outputRho,
  type ProveOptions,
  prove,
  type RandomSource,
  randomFieldElements,
  SpendAir,
  type SpendInput,
  type SpendStatement,
  type SpendWitness,
  StarkError,
  type StarkParams,
  spendTrace,
  systemRandom,
  TREE_DEPTH,
  verify,
  ZK_PARAMS,
} from "@p2pnode/stark";
import { equalDigests } from "./bytes.js";
import { encryptNote, ephemeralSecret } from "./encryption.js";
import { ShieldedError } from "./errors.js";
import { EMPTY_ROOTS } from "./frontier.js";
import { addressOf, checkSpendingKey, type ShieldedAddress, type SpendingKey } from "./keys.js";
import { commitmentOf, type Note } from "./note.js";
import type { ShieldedOutput } from "./scan.js";

/** The one parameter set a shielded spend is proved with and verified against: ZK, ~100 conjectured bits. */
export const SPEND_PARAMS: StarkParams = ZK_PARAMS;
/** Largest spend proof accepted, checked before parsing (proofs are ~50 KB). */
export const MAX_SPEND_PROOF_BYTES = 128 * 1024;

/** A note of the spender's, at `position` in the commitment tree. */
export interface OwnedNote {
  note: Note;
  position: number;
}

export interface SpendRequest {
  sk: SpendingKey;
  /** 0–2 notes to spend, all owned by sk (missing ones become dummies). */
  inputs: readonly OwnedNote[];
  /** The tree the inputs are in; its current root is the spend's anchor. */
  tree: { root(): Digest; path(position: number): MerklePath; leaf(position: number): Digest };
  /** 0–2 payments (missing ones become zero-value notes to the spender). */
  outputs: readonly { to: ShieldedAddress; value: bigint }[];
  publicIn?: bigint;
  publicOut?: bigint;
  fee?: bigint;
  random?: RandomSource;
}

/** Everything of a spend but its proof: the caller hashes the transaction, then proves. */
export interface PreparedSpend {
  witness: Omit<SpendWitness, "txHash">;
  nullifiers: readonly [Digest, Digest];
  outputs: readonly [ShieldedOutput, ShieldedOutput];
  /** The notes created, for the spender's records (output j goes to its address). */
  notes: readonly [Note, Note];
}

export function prepareSpend(req: SpendRequest): PreparedSpend {
  checkSpendingKey(req.sk);
  if (req.inputs.length > 2 || req.outputs.length > 2)
    throw new ShieldedError("BAD_SPEND", "a spend has at most two inputs and two outputs");
  const random = req.random ?? systemRandom;
  const self = addressOf(req.sk);
  const [publicIn, publicOut, fee] = [req.publicIn ?? 0n, req.publicOut ?? 0n, req.fee ?? 0n];
  const inputs = [0, 1].map((i) => {
    const owned = req.inputs[i];
    return owned ? realInput(req, owned, self.pk) : dummyInput(random);
  }) as unknown as [SpendInput, SpendInput];
  const payments = [0, 1].map((j) => req.outputs[j] ?? { to: self, value: 0n });
  const sumIn = inputs[0].value + inputs[1].value + publicIn;
  const sumOut = payments[0]!.value + payments[1]!.value + publicOut + fee;
  if (sumIn !== sumOut)
    throw new ShieldedError("BAD_SPEND", `inputs (${sumIn}) and outputs (${sumOut}) do not balance`);
  const nullifiers = [
    nullifierOf(inputs[0].sk, inputs[0].rho),
    nullifierOf(inputs[1].sk, inputs[1].rho),
  ] as const;
  const notes = payments.map(
    (p, j): Note => ({
      owner: p.to.pk,
      value: p.value,
      rho: outputRho(nullifiers[0], j),
      r: randomWords(random),
    }),
  ) as unknown as [Note, Note];
  const esk = ephemeralSecret(); // one per spend: a scanner agrees on it once for both outputs
  const outputs = notes.map((note, j) => {
    const commitment = commitmentOf(note);
    return { commitment, note: encryptNote(note, payments[j]!.to, esk, commitment) };
  }) as unknown as [ShieldedOutput, ShieldedOutput];
  const witness: Omit<SpendWitness, "txHash"> = {
    inputs,
    outputs: [
      { pk: notes[0].owner, value: notes[0].value, r: notes[0].r },
      { pk: notes[1].owner, value: notes[1].value, r: notes[1].r },
    ],
    root: req.tree.root(),
    publicIn,
    publicOut,
    fee,
  };
  return { witness, nullifiers, outputs, notes };
}

/** Proves a prepared spend bound to `txHash` (32 bytes): ~50 KB, about half a second single-threaded. */
export function proveSpend(
  prepared: PreparedSpend,
  txHash: Uint8Array,
  opts: Pick<ProveOptions, "onPhase" | "random"> & { params?: StarkParams } = {},
): { statement: SpendStatement; proof: Uint8Array } {
  const { trace, statement } = spendTrace({ ...prepared.witness, txHash });
  const proof = prove(new SpendAir(statement), trace, { params: opts.params ?? SPEND_PARAMS, ...opts });
  return { statement, proof: encodeProof(proof) };
}

/**
 * Verifies a spend proof against its statement, the same way on every node: the size is
 * checked before parsing, the parameters must be SPEND_PARAMS (zero-knowledge), and any
 * failure is a ShieldedError (BAD_PROOF with the STARK's code and reason in `details`).
 */
export function verifySpend(
  statement: SpendStatement,
  proof: Uint8Array,
  opts: { requireZk?: boolean } = {},
): void {
  if (!(proof instanceof Uint8Array)) throw new ShieldedError("MALFORMED", "proof must be bytes");
  if (proof.length > MAX_SPEND_PROOF_BYTES)
    throw new ShieldedError(
      "PROOF_TOO_LARGE",
      `proof of ${proof.length} bytes exceeds ${MAX_SPEND_PROOF_BYTES}`,
    );
  let air: SpendAir;
  try {
    air = new SpendAir(statement);
  } catch (e) {
    throw new ShieldedError("BAD_SPEND", e instanceof Error ? e.message : "invalid statement");
  }
  try {
    const decoded = decodeProof(proof);
    if ((opts.requireZk ?? true) && !sameParams(decoded.params, SPEND_PARAMS))
      throw new StarkError("PROOF_INVALID", "spend proofs use the zero-knowledge parameters SPEND_PARAMS");
    verify(air, decoded);
  } catch (e) {
    if (e instanceof StarkError) throw new ShieldedError("BAD_PROOF", e.message, { code: e.code });
    throw e;
  }
}

function realInput(req: SpendRequest, owned: OwnedNote, pk: Digest): SpendInput {
  const { note, position } = owned;
  if (!equalDigests(note.owner, pk))
    throw new ShieldedError("BAD_SPEND", "an input note is not owned by the spending key");
  if (!equalDigests(req.tree.leaf(position), commitmentOf(note)))
    throw new ShieldedError("BAD_SPEND", `the tree holds another commitment at position ${position}`);
  return {
    sk: req.sk,
    value: note.value,
    rho: note.rho,
    r: note.r,
    path: req.tree.path(position),
    real: true,
  };
}

/** A dummy input: a fresh random key and note of value 0, with a path into the empty tree. */
function dummyInput(random: RandomSource): SpendInput {
  return {
    sk: randomWords(random),
    value: 0n,
    rho: randomWords(random),
    r: randomWords(random),
    path: { siblings: EMPTY_ROOTS.slice(0, TREE_DEPTH), position: 0 },
    real: false,
  };
}

function randomWords(random: RandomSource): number[] {
  return Array.from(randomFieldElements(KEY_WORDS, random));
}

function sameParams(a: StarkParams, b: StarkParams): boolean {
  return (Object.keys(b) as (keyof StarkParams)[]).every((k) => a[k] === b[k]);
}

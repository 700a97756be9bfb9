import { type Block, type BlockHeader, HEADER_VERSION, type SignedTransaction } from "@p2pnode/codec";
import { headerHash, meetsTarget, signingKeyFromSeed, signTransaction, txId, txRoot } from "@p2pnode/crypto";

export const CHAIN_ID = "rules-test";
export const EASY = new Uint8Array(32).fill(0xff);
const key = (n: number) => signingKeyFromSeed(new Uint8Array(32).fill(n));
export const alice = key(1);

/** A signed transfer from alice on CHAIN_ID (or another chain). */
export function transfer(nonce: number, fee = 1n, chainId = CHAIN_ID): SignedTransaction {
  return signTransaction(
    {
      kind: "transfer",
      from: alice.publicKey,
      to: new Uint8Array(20).fill(2),
      amount: 10n,
      fee,
      nonce,
      memo: new Uint8Array(0),
    },
    chainId,
    alice,
  );
}

export function flip(b: Uint8Array, at = 0): Uint8Array {
  const out = new Uint8Array(b);
  out[at]! ^= 1;
  return out;
}

/** A block with a correct txRoot and proof of work; `edit` changes the header before the search. */
export function block(
  txs: SignedTransaction[] = [transfer(0)],
  edit: (h: BlockHeader) => void = () => {},
): Block {
  const header: BlockHeader = {
    version: HEADER_VERSION,
    height: 5,
    prevHash: new Uint8Array(32).fill(3),
    txRoot: txRoot(txs.map((t) => txId(t))),
    stateRoot: new Uint8Array(32),
    timestamp: 1_700_000_000_000,
    target: new Uint8Array(EASY),
    nonce: 0n,
    miner: new Uint8Array(20).fill(4),
  };
  edit(header);
  // A hard target is met by a few nonces only when it is not impossible (tests set 0…01 to fail).
  for (let i = 0; i < 64 && !meetsTarget(headerHash(header), header.target); i++) header.nonce++;
  return { header, txs };
}

/** The code of what `fn` throws, or "ACCEPTED". */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return "ACCEPTED";
}

/** Signed transfers as REST bodies, and small REST helpers, for the devnet benches. */
import { type SigningKey, signTransaction, txId } from "@p2pnode/crypto";

export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export const json = async <T>(url: string, init?: RequestInit): Promise<T> =>
  (await (await fetch(url, init)).json()) as T;

/** The POST /txs body of a signed transfer, and its id. */
export function transfer(key: SigningKey, to: Uint8Array, amount: bigint, nonce: number, chainId: string) {
  const tx = {
    kind: "transfer" as const,
    from: key.publicKey,
    to,
    amount,
    fee: 100_000n,
    nonce,
    memo: new Uint8Array(0),
  };
  const stx = signTransaction(tx, chainId, key);
  const body = JSON.stringify({
    tx: {
      kind: "transfer",
      from: hex(tx.from),
      to: hex(to),
      amount: String(amount),
      fee: "100000",
      nonce,
      memo: "",
    },
    signature: hex(stx.signature),
  });
  return { body, id: hex(txId(stx)) };
}

/**
 * Posts every lane's bodies to `url`, each lane's next as soon as its previous one is answered
 * (a sender's nonces reach the chain in order; concurrent posts of one sender would arrive out of
 * order and be refused for the gap) and all lanes at once. Returns the refusals ("status body").
 */
export async function submitLanes(
  url: string,
  lanes: readonly (readonly { body: string }[])[],
): Promise<string[]> {
  const refused: string[] = [];
  await Promise.all(
    lanes.map(async (lane) => {
      for (const { body } of lane) {
        const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
        if (r.status !== 202) refused.push(`${r.status} ${await r.text()}`);
        else await r.body?.cancel();
      }
    }),
  );
  return refused;
}

/** Signed transfers as REST bodies, and small REST helpers, for the devnet benches. */
import { randomBytes } from "node:crypto";
import {
  type Account,
  addressOf,
  type SigningKey,
  signingKeyFromSeed,
  signTransaction,
  txId,
} from "@p2pnode/crypto";
import { type DevnetNode, waitUntil } from "@p2pnode/devnet";

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

/** A set-up step that did not happen makes every figure after it meaningless: stop with why. */
export async function must(done: Promise<boolean>, what: string): Promise<void> {
  if (!(await done)) throw new Error(`bench: ${what} did not happen in time; no figures written`);
}

/** One devnet as the benches drive it: the node they post to, every node, the miner's admin token. */
export interface BenchDevnet {
  chainUrl: (n: DevnetNode) => string;
  minerUrl: string;
  nodes: readonly DevnetNode[];
  apiToken: string;
  chainId: string;
  faucet: Account;
}

/**
 * Waits for the first block, then funds `count` fresh senders from the faucet in one block mined
 * on the first node and stops its miner once every node shows that tip: whatever the bench posts
 * next waits in the mempools. Returns the senders' keys.
 */
export async function fundSenders(d: BenchDevnet, count: number): Promise<SigningKey[]> {
  const first = d.chainUrl(d.nodes[0]!);
  const admin = { authorization: `Bearer ${d.apiToken}` };
  const miner = (action: "start" | "stop") =>
    fetch(`${d.minerUrl}/${action}`, { method: "POST", headers: admin });
  const oneTip = async () =>
    new Set(
      await Promise.all(
        d.nodes.map(async (n) => (await json<{ hash: string }>(`${d.chainUrl(n)}/tip`)).hash),
      ),
    ).size === 1;
  await must(
    waitUntil(async () => (await json<{ height: number }>(`${first}/tip`)).height >= 1, 120_000, 250),
    "the first block",
  );
  await miner("stop");
  await must(waitUntil(oneTip, 60_000, 250), "one tip before funding");

  const senders = Array.from({ length: count }, () => signingKeyFromSeed(new Uint8Array(randomBytes(32))));
  const faucetNonce = (await json<{ pendingNonce: number }>(`${first}/accounts/${hex(d.faucet.address)}`))
    .pendingNonce;
  const funding = senders.map((s, i) =>
    transfer(d.faucet, addressOf(s.publicKey), 10_000_000_000n, faucetNonce + i, d.chainId),
  );
  const refused = await submitLanes(`${first}/txs`, [funding]);
  if (refused.length > 0) throw new Error(`bench: funding refused: ${refused[0]}`);
  await miner("start");
  await must(
    waitUntil(
      async () => (await json<{ status?: string }>(`${first}/txs/${funding.at(-1)!.id}`)).status === "mined",
      120_000,
      100,
    ),
    "the funding block",
  );
  await miner("stop");
  await must(waitUntil(oneTip, 60_000, 250), "one tip after funding");
  return senders;
}

/** `total` transfers spread over `senders`, one lane per sender with its nonces in order from 0. */
export function burstLanes(senders: readonly SigningKey[], total: number, chainId: string) {
  const perSender = Math.ceil(total / senders.length);
  return senders.map((s, i) =>
    Array.from({ length: Math.max(0, Math.min(perSender, total - i * perSender)) }, (_, k) =>
      transfer(s, new Uint8Array(20).fill(7), 1n, k, chainId),
    ),
  );
}

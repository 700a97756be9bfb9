import { randomBytes } from "node:crypto";
import { signedTransactionToJson } from "@p2pnode/codec";
import { addressOf, readWallet, type SigningKey, signingKeyFromSeed, signTransaction } from "@p2pnode/crypto";
import type { ChaosCluster } from "./cluster.js";

export interface Acknowledged {
  id: string;
  wallet: number;
  nonce: number;
  /** The node whose REST API answered 202. */
  node: number;
  at: number;
}

interface Sender {
  key: SigningKey;
  nonce: number;
  /** The tx awaiting commit: its body (resubmitted as is, so it is the same tx) and id. */
  inFlight?: { id: string; body: unknown; since: number; lastTry: number };
}

const FEE = 100_000n;
const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });

/**
 * A steady transaction load through the public REST APIs. Each sender wallet has at most one tx
 * in flight; its next nonce waits until that tx is in a block (a lost tx would otherwise stall
 * every later nonce). A tx not committed after a while is submitted again, same bytes, to another
 * node. Every 202 is recorded: the invariants check each one ends in exactly one block.
 */
export class TxLoad {
  readonly acknowledged: Acknowledged[] = [];
  readonly rejected = new Map<string, number>();
  submitErrors = 0;
  private readonly senders: Sender[];
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly c: ChaosCluster,
    wallets: number,
    private readonly txPerSecond: number,
    private readonly live: () => number[],
  ) {
    this.senders = Array.from({ length: wallets }, () => ({
      key: signingKeyFromSeed(new Uint8Array(randomBytes(32))),
      nonce: 0,
    }));
  }

  private body(from: SigningKey, to: Uint8Array, amount: bigint, nonce: number) {
    const stx = signTransaction(
      { kind: "transfer", from: from.publicKey, to, amount, fee: FEE, nonce, memo: new Uint8Array(0) },
      this.c.chainId,
      from,
    );
    return signedTransactionToJson(stx);
  }

  /** Funds every sender from the faucet (one tx each) and waits until all are in a block. */
  async fund(node: number, timeoutMs: number): Promise<void> {
    const faucet = readWallet(this.c.faucetFile).key;
    const ids: string[] = [];
    for (const [n, s] of this.senders.entries()) {
      const r = await post(
        `${this.c.url(node, "chain")}/txs`,
        this.body(faucet, addressOf(s.key.publicKey), 10n ** 12n, n),
      );
      if (r.status !== 202) throw new Error(`funding tx ${n}: ${r.status} ${await r.text()}`);
      ids.push(((await r.json()) as { id: string }).id);
    }
    const deadline = Date.now() + timeoutMs;
    for (const id of ids) {
      while (!(await this.mined(node, id))) {
        if (Date.now() > deadline) throw new Error(`funding tx ${id} not mined in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private async mined(node: number, id: string): Promise<boolean> {
    try {
      const r = await fetch(`${this.c.url(node, "chain")}/txs/${id}`, { signal: AbortSignal.timeout(3_000) });
      return r.ok && ((await r.json()) as { status: string }).status === "mined";
    } catch {
      return false;
    }
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const gapMs = 1000 / this.txPerSecond;
    let turn = 0;
    while (!this.stopped) {
      const live = this.live();
      const s = this.senders[turn % this.senders.length]!;
      turn++;
      if (live.length > 0) await this.step(s, live).catch(() => this.submitErrors++);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  private async step(s: Sender, live: number[]): Promise<void> {
    const node = live[Math.floor(Math.random() * live.length)]!;
    const now = Date.now();
    if (s.inFlight) {
      if (await this.mined(node, s.inFlight.id)) {
        s.inFlight = undefined;
        s.nonce++;
      } else if (now - s.inFlight.lastTry > 15_000) {
        s.inFlight.lastTry = now;
        await this.submit(s, node, s.inFlight.body, s.inFlight.id);
      }
      return;
    }
    const to = new Uint8Array(20);
    to[0] = this.senders.indexOf(s);
    const body = this.body(s.key, to, 1n, s.nonce);
    const id = await this.submit(s, node, body);
    if (id) s.inFlight = { id, body, since: now, lastTry: now };
  }

  private async submit(s: Sender, node: number, body: unknown, known?: string): Promise<string | undefined> {
    const r = await post(`${this.c.url(node, "chain")}/txs`, body);
    const json = (await r.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
    if (r.status === 202 && json.id) {
      this.acknowledged.push({
        id: json.id,
        wallet: this.senders.indexOf(s),
        nonce: s.nonce,
        node,
        at: Date.now(),
      });
      return json.id;
    }
    const code = json.error?.code ?? String(r.status);
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
    return known;
  }

  /** Distinct acknowledged tx ids (a resubmission acknowledges the same id again). */
  ackedIds(): string[] {
    return [...new Set(this.acknowledged.map((a) => a.id))];
  }
}

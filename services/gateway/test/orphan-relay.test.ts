import { encodeSignedTransaction, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { createLogger } from "@p2pnode/kit";
import { eventually } from "@p2pnode/kit/testing";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ChainPort, SubmitOutcome } from "../src/chain-port.js";
import { GatewayMetrics } from "../src/metrics.js";
import { OrphanTxs } from "../src/orphan-txs.js";
import type { Peer } from "../src/peer.js";
import { RecentBytes } from "../src/recent-bytes.js";
import { Relay } from "../src/relay.js";
import { SeenCache } from "../src/seen-cache.js";
import { makeTx } from "./helpers/chain-stub.js";

/** A chain whose answers the test gives, one submission at a time, in any order. */
function heldChain() {
  const calls: { bytes: Uint8Array; answer: (o: SubmitOutcome) => void }[] = [];
  const chain = {
    submitTx: (bytes: Uint8Array) => new Promise<SubmitOutcome>((answer) => calls.push({ bytes, answer })),
  } as unknown as ChainPort;
  /** Waits (on the condition, not a clock) until `n` submissions await their answer. */
  const waiting = (n: number) =>
    eventually(
      () => calls.length,
      (c) => c === n,
      100,
      5,
    );
  return { chain, calls, waiting };
}

function relayOn(chain: ChainPort): Relay {
  return new Relay({
    chain,
    seen: new SeenCache(120_000, 10_000),
    metrics: new GatewayMetrics(new Registry()),
    log: createLogger("relay-test", "silent"),
    peers: () => [],
    penalise: () => undefined,
    reward: () => undefined,
    needSync: () => undefined,
    recent: new RecentBytes(1 << 20),
  });
}

const peer = { id: "ab".repeat(32), known: new Set<string>(), send: () => undefined } as unknown as Peer;
const gap = (expected: number): SubmitOutcome => ({
  ok: false,
  code: "BAD_NONCE",
  message: "nonce leaves a gap",
  details: { expected },
});
const ok: SubmitOutcome = { ok: true };
/** `count` consecutive transfers of one sender, as codec bytes, with the first nonce. */
function burst(count: number): { first: number; bytes: Uint8Array[] } {
  const txs = Array.from({ length: count }, (_, i) => makeTx(`orphan-${i}`));
  return { first: (txs[0]!.tx as { nonce: number }).nonce, bytes: txs.map(encodeSignedTransaction) };
}
const idOf = (b: Uint8Array) => toHex(txId(b));

describe("orphan txs in the relay", () => {
  it("submits a held tx at once when its predecessor was accepted while the gap answer was on its way", async () => {
    const { chain, calls, waiting } = heldChain();
    const relay = relayOn(chain);
    const { first, bytes } = burst(2);
    const [t0, t1] = bytes as [Uint8Array, Uint8Array];
    const late = relay.onTx(peer, t1); // judged by the chain before t0 reached it...
    const early = relay.onTx(peer, t0);
    await waiting(2);
    calls[1]!.answer(ok); // ...t0 is accepted, and only then does t1's gap answer arrive
    await early;
    calls[0]!.answer(gap(first));
    await waiting(3);
    expect(idOf(calls[2]!.bytes)).toBe(idOf(t1));
    calls[2]!.answer(ok);
    await late;
  });

  it("submits a sender's held txs in nonce order once the chain reports the predecessor, by any path", async () => {
    const { chain, calls, waiting } = heldChain();
    const relay = relayOn(chain);
    const { first, bytes } = burst(4);
    // t3, t2, t1 arrive from peers before t0: each is held for the gap.
    for (const b of bytes.slice(1).reverse()) {
      const done = relay.onTx(peer, b);
      await waiting(1);
      calls.pop()!.answer(gap(first));
      await done;
    }
    // t0 reaches the chain over REST: the gateway learns of it from the chain's accepted event.
    relay.announce("tx", idOf(bytes[0]!), bytes[0]);
    for (const want of bytes.slice(1)) {
      await waiting(1);
      const call = calls.pop()!;
      expect(idOf(call.bytes)).toBe(idOf(want));
      call.answer(ok);
    }
    relay.stop();
  });
});

describe("orphan pool", () => {
  it("hands out the held tx the chain expects next, and only that one", () => {
    const o = new OrphanTxs();
    o.add("s", 6, new Uint8Array([6]));
    expect(o.takeReady("s")).toBeUndefined(); // nothing known of the chain's next nonce
    o.advance("s", 5);
    expect(o.takeReady("s")).toBeUndefined(); // 5 is missing
    o.advance("s", 6);
    o.advance("s", 4); // an older answer never moves it back
    expect(o.takeReady("s")).toEqual({ nonce: 6, bytes: new Uint8Array([6]) });
    expect(o.size).toBe(0);
  });

  it("remembers the next nonce of a bounded number of senders", () => {
    const o = new OrphanTxs(100, 60_000, Date.now, 2);
    o.advance("a", 1);
    o.advance("b", 1);
    o.advance("c", 1); // forgets "a", the least recently advanced
    o.add("a", 1, new Uint8Array([1]));
    o.add("c", 1, new Uint8Array([1]));
    expect(o.takeReady("a")).toBeUndefined();
    expect(o.takeReady("c")?.nonce).toBe(1);
  });
});

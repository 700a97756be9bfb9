import {
  type CborValue,
  decodeCanonical,
  encodeCanonical,
  encodeSignedTransaction,
  MAX_SHIELDED_TX_BYTES,
  P2P_MESSAGE_CODES,
  type SignedTransaction,
  toHex,
} from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { eventually } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../src/errors.js";
import { type GatewayNode, startGatewayNode } from "./helpers/cluster.js";
import { RawPeer } from "./helpers/raw-peer.js";

/*
 * Malformed shielded txs from a peer: each is refused before it reaches the chain's state, with
 * a reason recorded against the sender (an encoding the codec refuses, a word that is no field
 * element, a proof that does not verify), and a tx message over the shielded size limit closes
 * the connection as a malformed message — the limit is checked before the body is parsed.
 */

let a: GatewayNode;
beforeAll(async () => {
  a = await startGatewayNode();
});
afterAll(async () => {
  await a?.stop();
});

const field = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? n : 0));
const NOT_FIELD = new Uint8Array(32).fill(0xff);

/** A well-formed unsigned shielded transfer with a proof of junk bytes. */
function transfer(change: Record<string, unknown> = {}): SignedTransaction {
  return {
    tx: {
      kind: "shielded",
      fee: 10n,
      anchor: field(9),
      nullifiers: [field(1), field(2)],
      commitments: [field(3), field(4)],
      notes: [new Uint8Array(90).fill(0xab), new Uint8Array(90).fill(0xcd)],
      proof: new Uint8Array(2000).fill(0x5a),
      ...change,
    } as SignedTransaction["tx"],
    signature: new Uint8Array(0),
  };
}

/** The canonical bytes of a transfer with raw CBOR fields replaced: what no honest encoder writes. */
function rewritten(fields: Record<string, CborValue>): Uint8Array {
  const decoded = decodeCanonical(encodeSignedTransaction(transfer()), "tx") as {
    tx: Record<string, CborValue>;
    sig: Uint8Array;
  };
  return encodeCanonical({ tx: { ...decoded.tx, ...fields }, sig: decoded.sig });
}

async function eventsOf(peer: RawPeer): Promise<{ kind: string; detail?: string }[]> {
  const res = await a.svc.ctx.app.inject({ url: `/peers/${peer.nodeIdHex}/score` });
  return res.statusCode === 200 ? res.json().events : [];
}

describe("malformed shielded txs from a peer", () => {
  it("each is refused with its reason recorded against the sender, and never reaches the chain", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    const cases: [string, Uint8Array, RegExp][] = [
      ["a note one byte short", rewritten({ note0: new Uint8Array(89) }), /undecodable tx: .*note0/],
      ["a proof over 64 KiB", rewritten({ proof: new Uint8Array(64 * 1024 + 1) }), /undecodable tx: .*proof/],
      [
        "an anchor that is no field element",
        encodeSignedTransaction(transfer({ anchor: NOT_FIELD })),
        /: BAD_FIELD_ELEMENT$/,
      ],
      ["a proof of junk", encodeSignedTransaction(transfer()), /: BAD_PROOF$/],
    ];
    for (const [what, bytes, reason] of cases) {
      raw.send({ type: "tx", tx: bytes });
      await eventually(
        async () => (await eventsOf(raw)).some((e) => e.kind === "INVALID_TX" && reason.test(e.detail ?? "")),
        Boolean,
      );
      expect(a.chain.txs.has(toHex(txId(bytes))), what).toBe(false);
    }
    expect(raw.closed).toBe(false); // -20 each: a peer is not banned for four bad txs
    raw.close();
  });

  it("a tx message over the shielded size limit closes the connection before parsing: MALFORMED_MESSAGE", async () => {
    const raw = await RawPeer.connect(a.p2pPort, a.network);
    const big = rewritten({ proof: new Uint8Array(MAX_SHIELDED_TX_BYTES) });
    const body = encodeCanonical({ tx: big });
    raw.sendPlain(Uint8Array.from([P2P_MESSAGE_CODES.tx, ...body]));
    await eventually(() => raw.closed, Boolean);
    expect(raw.closeCode).toBe(CLOSE_CODES.MALFORMED_MESSAGE);
  });
});

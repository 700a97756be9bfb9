import { signedTransactionToJson } from "@p2pnode/codec";
import type { SignedMessage } from "@p2pnode/crypto";
import { CodedError } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { ChainIntake } from "../src/intake.js";
import { alice, bob, openChain, testGenesis, transfer } from "./helpers.js";

const events = { blockAccepted: () => undefined, txAccepted: () => undefined };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return err instanceof CodedError ? err.code : String(err);
  }
}

describe("ChainIntake while the service stops being writable (supervisor gone, NATS down)", () => {
  it("refuses a write up front and stores nothing", async () => {
    const chain = openChain(testGenesis());
    const intake = new ChainIntake({ chain, metrics: undefined, events, writable: () => false });
    const stx = transfer(alice, bob, 5n, 0);
    expect(await codeOf(intake.submitTx(signedTransactionToJson(stx)))).toBe("NOT_READY");
    expect(chain.mempool.size).toBe(0);
  });

  it("does not acknowledge a tx whose supervisor died while it was verified; sent again, it is pending", async () => {
    const chain = openChain(testGenesis());
    let writable = true;
    // The verdict comes back only after the supervisor is gone: the write began while writable.
    const verifier = {
      verify: async (_item: SignedMessage) => {
        writable = false;
        return true;
      },
    };
    const accepted: string[] = [];
    const intake = new ChainIntake({
      chain,
      metrics: undefined,
      events: { ...events, txAccepted: (e) => void accepted.push(e.id) },
      writable: () => writable,
      verifier,
    });
    const json = signedTransactionToJson(transfer(alice, bob, 5n, 0));
    expect(await codeOf(intake.submitTx(json))).toBe("NOT_READY");
    expect(accepted).toEqual([]);
    // It was committed before the check: durable, so the client's second try finds it.
    expect(chain.mempool.size).toBe(1);
    writable = true;
    expect(await codeOf(intake.submitTx(json))).toBe("DUPLICATE");
  });
});

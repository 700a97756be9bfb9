import type { Bus } from "@p2pnode/kit";
import { ChainSubjects } from "@p2pnode/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TX_ANNOUNCE_WINDOW_MS } from "../src/announce-window.js";
import type { AcceptedBlock } from "../src/intake.js";
import { busEvents } from "../src/nats.js";

/** A bus that records what is published, in order: the subject's name and the tx id or block hash. */
function recordingBus() {
  const published: string[] = [];
  const bus = {
    publish: (def: { subject: string }, payload: { id?: string; hash?: string }) => {
      published.push(
        `${def.subject === ChainSubjects.txAccepted.subject ? "tx" : "block"} ${payload.id ?? payload.hash}`,
      );
    },
  } as unknown as Bus;
  return { bus, published };
}

const tx = (id: string) => ({ id, fee: "1", tx: new Uint8Array([1]) });
const block = (hash: string): AcceptedBlock => ({
  hash,
  height: 1,
  status: "connected",
  txCount: 1,
  block: new Uint8Array([1]),
  totalWork: 2n,
});

describe("the chain's tx announcements (one NATS write for a window's txs)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("holds txs accepted within the window and then publishes all of them, in order", async () => {
    const { bus, published } = recordingBus();
    const events = busEvents(bus);
    events.txAccepted(tx("a"));
    await vi.advanceTimersByTimeAsync(1);
    events.txAccepted(tx("b"));
    events.txAccepted(tx("c"));
    expect(published).toEqual([]);
    await vi.advanceTimersByTimeAsync(TX_ANNOUNCE_WINDOW_MS);
    expect(published).toEqual(["tx a", "tx b", "tx c"]);
    // A later tx opens a window of its own; nothing goes twice.
    events.txAccepted(tx("d"));
    await vi.advanceTimersByTimeAsync(TX_ANNOUNCE_WINDOW_MS);
    expect(published).toEqual(["tx a", "tx b", "tx c", "tx d"]);
  });

  it("publishes a block at once, after the txs accepted before it", () => {
    const { bus, published } = recordingBus();
    const events = busEvents(bus);
    events.txAccepted(tx("a"));
    events.blockAccepted(block("B"));
    expect(published).toEqual(["tx a", "block B"]);
  });

  it("flush() (the service's stop) publishes what waits, and the window's timer then has nothing left", async () => {
    const { bus, published } = recordingBus();
    const events = busEvents(bus);
    events.txAccepted(tx("a"));
    events.flush();
    expect(published).toEqual(["tx a"]);
    await vi.advanceTimersByTimeAsync(10 * TX_ANNOUNCE_WINDOW_MS);
    expect(published).toEqual(["tx a"]);
  });
});

import { CodecError } from "@p2pnode/codec";
import { CipherState, NoiseError } from "@p2pnode/crypto";
import { envNumber } from "@p2pnode/kit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecureChannel } from "../src/frame.js";

const RUNS = envNumber("FUZZ_RUNS", 300, { min: 1 });
const key = new Uint8Array(32).fill(5);
const pair = () => ({
  tx: new SecureChannel({ send: new CipherState(key), receive: new CipherState(key) }, 1 << 20),
  rx: new SecureChannel({ send: new CipherState(key), receive: new CipherState(key) }, 1 << 20),
});

/** Opening and decoding anything yields a message or a typed error; never a crash. */
function openAndDecode(ch: SecureChannel, bytes: Uint8Array): void {
  try {
    ch.decode(ch.open(bytes));
  } catch (err) {
    if (!(err instanceof NoiseError) && !(err instanceof CodecError)) throw err;
  }
}

describe("frame decoder under fuzzing", () => {
  it("random frames and tampered genuine frames fail with NoiseError or CodecError only", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (b) => openAndDecode(pair().rx, b)),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat(), (plain, at) => {
        const { tx, rx } = pair();
        const frame = tx.sealRaw(plain);
        const bad = frame.slice();
        bad[at % bad.length]! ^= 0x80;
        expect(() => rx.open(bad)).toThrow(NoiseError);
        // Genuine frames carrying arbitrary plaintext reach the message decoder and stop there.
        openAndDecode(rx, frame);
      }),
      { numRuns: RUNS },
    );
  });
});

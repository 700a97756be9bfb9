import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CipherState,
  NoiseXX,
  nobleChaChaPoly,
  nodeKeyFromSeed,
  openFrame,
  opensslChaChaPoly,
  sealFrame,
  signNoiseIdentity,
  verifyNoiseIdentity,
  x25519KeyPair,
} from "../src/index.js";

const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface Vector {
  source: string;
  prologue: string;
  initStatic: string;
  initEphemeral: string;
  respStatic: string;
  respEphemeral: string;
  handshakeHash?: string;
  messages: { payload: string; ciphertext: string }[];
}

// The Noise_XX_25519_ChaChaPoly_SHA256 entries of the public test-vector files:
// cacophony (haskell-cryptography/cacophony vectors/cacophony.txt) and snow (mcginty/snow tests/vectors/snow.txt).
const VECTORS: Vector[] = [
  {
    source: "cacophony",
    prologue: "4a6f686e2047616c74",
    initStatic: "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
    initEphemeral: "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
    respStatic: "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
    respEphemeral: "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
    handshakeHash: "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
    messages: [
      {
        payload: "4c756477696720766f6e204d69736573",
        ciphertext:
          "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573",
      },
      {
        payload: "4d757272617920526f746862617264",
        ciphertext:
          "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad",
      },
      {
        payload: "462e20412e20486179656b",
        ciphertext:
          "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030",
      },
      {
        payload: "4361726c204d656e676572",
        ciphertext: "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df",
      },
      {
        payload: "4a65616e2d426170746973746520536179",
        ciphertext: "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5",
      },
      {
        payload: "457567656e2042f6686d20766f6e2042617765726b",
        ciphertext: "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f",
      },
    ],
  },
  {
    source: "snow",
    prologue:
      "5468657265206973206e6f20726967687420616e642077726f6e672e2054686572652773206f6e6c792066756e20616e6420626f72696e672e",
    initStatic: "7dec208517a3b81a2861d7a71266d5d6dc944c5a8816634a86fe63198a0148ee",
    initEphemeral: "a32daf21e93c0131495ce1d903181fde81cc46937daaeb990bae7c992709421e",
    respStatic: "4d0aed5098e3b4ef20357e9f686ce66204c792b358da2e475017d6c485304881",
    respEphemeral: "4eece0f195d026db035ff987597c429d3ad3bcc2944df37d649528951b2a27c5",
    messages: [
      {
        payload: "d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
        ciphertext:
          "f9fa868ba97ab8a2686deccfaad5a484ee10a5bb85e3d1dce015a84797f92818d03c489139e645d0711a3c9e810d776b46a84912463fafa87b884eebf242dc34",
      },
      {
        payload: "d8190a92f7dc0c93dbea9118ba8055751fb7c6590c416ffbd419964132b99a85",
        ciphertext:
          "8c4e6fdb7d09d501a86f7eca5c234522751706ed409182c05cdf5f827d4dae47b81c6c5f43b025692c24391eefee725c17d8cb0fbe3e4abb8aedf42c4fd2592d4ea48ac08989d6ae8b4adae08b2c34087c808c7aa55a63c02b0fab9e930612336bd43eaea04d3c670a0a146691aa9cc9d357872320dc735dbc48580cffb553db",
      },
      {
        payload: "77891b19dcb92ef7c055b672c4a5aa7fdf1c84146b8b303459022729473ce254",
        ciphertext:
          "933ca6b5ed60df3df66121f0ab49a09e49efa45c613a86a3cecbf4c535cef2f83f72b42837b18e3572f2fdc2b74c331e2368a545cef54bdca081678ab0e9dd5348122459e0c034c851984d88ce610963d43cde6cfe73a67fbd5a63e8bfca96d0",
      },
      {
        payload: "d7efdf988072881941db045a42882433817555128fbf5663e56081712ec7d212",
        ciphertext:
          "54ef0ff0629e1aaa7685a2806ab111cba76b52331f2642276736f415868eacb69ab2577f3bda0cbf72f879685f6ed25f",
      },
      {
        payload: "dd7bf01a588bafb52c6cfba952e5d8fe35cc2b3f92b4730ae2474615157345ce",
        ciphertext:
          "356be70f110306d5c699bb834bb9d58d909e325924dfbec972e406e6f294dc63e1daebefe8a62a334facc8048ab4ad66",
      },
    ],
  },
];

function pair(prologue = new Uint8Array(0)) {
  const i = new NoiseXX({ initiator: true, staticKey: x25519KeyPair(), prologue });
  const r = new NoiseXX({ initiator: false, staticKey: x25519KeyPair(), prologue });
  return { i, r };
}

describe("Noise_XX_25519_ChaChaPoly_SHA256 test vectors", () => {
  it.each(VECTORS)("$source: handshake and transport messages match byte for byte", (v) => {
    const i = new NoiseXX({
      initiator: true,
      prologue: hex(v.prologue),
      staticKey: x25519KeyPair(hex(v.initStatic)),
      ephemeralKey: x25519KeyPair(hex(v.initEphemeral)),
    });
    const r = new NoiseXX({
      initiator: false,
      prologue: hex(v.prologue),
      staticKey: x25519KeyPair(hex(v.respStatic)),
      ephemeralKey: x25519KeyPair(hex(v.respEphemeral)),
    });
    v.messages.slice(0, 3).forEach((m, k) => {
      const [from, to] = k % 2 === 0 ? [i, r] : [r, i];
      const wire = from.writeMessage(hex(m.payload));
      expect(toHex(wire), `handshake message ${k}`).toBe(m.ciphertext);
      expect(toHex(to.readMessage(wire))).toBe(m.payload);
    });
    expect(toHex(i.handshakeHash)).toBe(toHex(r.handshakeHash));
    if (v.handshakeHash) expect(toHex(i.handshakeHash)).toBe(v.handshakeHash);
    expect(i.remoteStaticKey).toEqual(x25519KeyPair(hex(v.respStatic)).publicKey);
    const ti = i.split();
    const tr = r.split(opensslChaChaPoly); // OpenSSL and noble must give the same bytes
    v.messages.slice(3).forEach((m, k) => {
      // After the handshake the vectors alternate starting with the responder (message index 3).
      const [send, receive] = (k + 3) % 2 === 0 ? [ti.send, tr.receive] : [tr.send, ti.receive];
      const wire = send.encryptWithAd(new Uint8Array(0), hex(m.payload));
      expect(toHex(wire), `transport message ${k + 3}`).toBe(m.ciphertext);
      expect(toHex(receive.decryptWithAd(new Uint8Array(0), wire))).toBe(m.payload);
    });
  });
});

describe("NoiseXX", () => {
  it("round-trips payloads and agrees on keys and the handshake hash", () => {
    const { i, r } = pair(new Uint8Array([1, 2, 3]));
    expect(r.readMessage(i.writeMessage(new Uint8Array([7])))).toEqual(new Uint8Array([7]));
    expect(toHex(i.readMessage(r.writeMessage(new Uint8Array([8]))))).toBe("08");
    expect(toHex(r.readMessage(i.writeMessage(new Uint8Array([9]))))).toBe("09");
    expect(i.complete && r.complete).toBe(true);
    expect(i.handshakeHash).toEqual(r.handshakeHash);
    const a = i.split();
    const b = r.split();
    const msg = randomBytes(1000);
    expect(
      Buffer.from(b.receive.decryptWithAd(new Uint8Array(0), a.send.encryptWithAd(new Uint8Array(0), msg))),
    ).toEqual(msg);
  });

  it("refuses a replayed third message in a new session", () => {
    const first = pair();
    first.r.readMessage(first.i.writeMessage());
    first.i.readMessage(first.r.writeMessage());
    const third = first.i.writeMessage(new TextEncoder().encode("identity payload"));
    // The same initiator message replayed to a fresh responder (new ephemeral key) cannot authenticate.
    const r2 = new NoiseXX({ initiator: false, staticKey: x25519KeyPair() });
    r2.readMessage(first.i.payloadHash.subarray(0, 32)); // any 32-byte "e" starts the session
    r2.writeMessage();
    expect(() => r2.readMessage(third)).toThrow(expect.objectContaining({ code: "NOISE_DECRYPT_FAILED" }));
    expect(r2.remoteStaticKey).toBeUndefined();
    expect(() => r2.readMessage(third)).toThrow(/failed/);
  });

  it("refuses a replayed second message and a tampered one", () => {
    const { i, r } = pair();
    const m1 = i.writeMessage();
    r.readMessage(m1);
    const m2 = r.writeMessage(new Uint8Array([1]));
    // A new initiator whose first message was answered by a recording of an old reply.
    const i2 = new NoiseXX({ initiator: true, staticKey: x25519KeyPair() });
    i2.writeMessage();
    expect(() => i2.readMessage(m2)).toThrow(expect.objectContaining({ code: "NOISE_DECRYPT_FAILED" }));
    const tampered = m2.slice();
    tampered[40]! ^= 1;
    expect(() => i.readMessage(tampered)).toThrow(expect.objectContaining({ code: "NOISE_DECRYPT_FAILED" }));
  });

  it("fails on a prologue mismatch, truncation, low-order keys and out-of-turn calls", () => {
    const i = new NoiseXX({ initiator: true, staticKey: x25519KeyPair(), prologue: new Uint8Array([1]) });
    const r = new NoiseXX({ initiator: false, staticKey: x25519KeyPair(), prologue: new Uint8Array([2]) });
    r.readMessage(i.writeMessage());
    expect(() => i.readMessage(r.writeMessage())).toThrow(
      expect.objectContaining({ code: "NOISE_DECRYPT_FAILED" }),
    );
    const r3 = new NoiseXX({ initiator: false, staticKey: x25519KeyPair() });
    expect(() => r3.readMessage(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: "NOISE_BAD_MESSAGE" }),
    );
    const r4 = new NoiseXX({ initiator: false, staticKey: x25519KeyPair() });
    r4.readMessage(new Uint8Array(32)); // the all-zero point has order 1
    expect(() => r4.writeMessage()).toThrow(expect.objectContaining({ code: "NOISE_BAD_KEY" }));
    const r5 = new NoiseXX({ initiator: false, staticKey: x25519KeyPair() });
    expect(() => r5.writeMessage()).toThrow(expect.objectContaining({ code: "NOISE_STATE" }));
    expect(() => r5.split()).toThrow(expect.objectContaining({ code: "NOISE_STATE" }));
  });
});

describe("transport frames and the identity proof", () => {
  it("OpenSSL's and noble's ChaCha20-Poly1305 agree byte for byte and both reject forgeries", () => {
    for (const size of [0, 1, 63, 64, 65, 1000, 65_519]) {
      const key = new Uint8Array(randomBytes(32));
      const nonce = new Uint8Array(randomBytes(12));
      const ad = new Uint8Array(randomBytes(size % 50));
      const pt = new Uint8Array(randomBytes(size));
      const a = nobleChaChaPoly.encrypt(key, nonce, ad, pt);
      expect(Buffer.from(opensslChaChaPoly.encrypt(key, nonce, ad, pt))).toEqual(Buffer.from(a));
      expect(Buffer.from(opensslChaChaPoly.decrypt(key, nonce, ad, a)!)).toEqual(Buffer.from(pt));
      const bad = a.slice();
      bad[bad.length - 1]! ^= 1;
      expect(opensslChaChaPoly.decrypt(key, nonce, ad, bad)).toBeUndefined();
      expect(nobleChaChaPoly.decrypt(key, nonce, ad, bad)).toBeUndefined();
    }
  });

  it("seals frames larger than one Noise message and checks the limit before decrypting", () => {
    const key = randomBytes(32);
    const tx = new CipherState(new Uint8Array(key));
    const rx = new CipherState(new Uint8Array(key));
    for (const size of [0, 1, 65_519, 65_520, 200_000]) {
      const plain = randomBytes(size);
      const sealed = sealFrame(tx, plain);
      expect(Buffer.from(openFrame(rx, sealed, 1 << 20))).toEqual(plain);
    }
    const big = sealFrame(tx, randomBytes(70_000));
    expect(() => openFrame(rx, big, 65_000)).toThrow(expect.objectContaining({ code: "NOISE_BAD_MESSAGE" }));
    expect(rx.nonce).toBe(tx.nonce - 2n); // nothing was consumed by the refused frame
    expect(() => openFrame(rx, new Uint8Array(10), 100)).toThrow(
      expect.objectContaining({ code: "NOISE_BAD_MESSAGE" }),
    );
  });

  it("a captured frame replayed on the same session fails (nonces only move forward)", () => {
    const key = new Uint8Array(randomBytes(32));
    const tx = new CipherState(key);
    const rx = new CipherState(key);
    const f = sealFrame(tx, new Uint8Array([1, 2, 3]));
    openFrame(rx, f, 100);
    expect(() => openFrame(rx, f, 100)).toThrow(expect.objectContaining({ code: "NOISE_DECRYPT_FAILED" }));
  });

  it("binds the identity key to the static key and handshake hash, per chain", () => {
    const id = nodeKeyFromSeed(new Uint8Array(32).fill(3));
    const s = x25519KeyPair().publicKey;
    const h = new Uint8Array(randomBytes(32));
    const sig = signNoiseIdentity(id, "test-chain", s, h);
    expect(verifyNoiseIdentity(sig, "test-chain", s, h, id.publicKey)).toBe(true);
    expect(verifyNoiseIdentity(sig, "other-chain", s, h, id.publicKey)).toBe(false);
    const h2 = h.slice();
    h2[0]! ^= 1;
    expect(verifyNoiseIdentity(sig, "test-chain", s, h2, id.publicKey)).toBe(false);
  });
});

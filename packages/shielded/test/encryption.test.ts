import { x25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import {
  addressOf,
  commitmentOf,
  decodeEncryptedNote,
  ENCRYPTED_NOTE_BYTES,
  encodeEncryptedNote,
  encryptNote,
  ephemeralSecret,
  type Note,
  nobleShared,
  randomSpendingKey,
  ShieldedError,
  type ShieldedOutput,
  scanOutputs,
  tryDecryptNote,
  viewingKeyOf,
  X25519Agreement,
} from "../src/index.js";

const wallets = [randomSpendingKey(), randomSpendingKey(), randomSpendingKey()].map((sk) => ({
  vk: viewingKeyOf(sk),
  address: addressOf(sk),
}));

function noteFor(w: (typeof wallets)[number], value: bigint): Note {
  return { owner: w.address.pk, value, rho: [1, 2, 3, Number(value % 1000n)], r: [4, 5, 6, 7] };
}
function output(note: Note, to = wallets[0]!.address, esk = ephemeralSecret()): ShieldedOutput {
  return { commitment: commitmentOf(note), note: encryptNote(note, to, esk) };
}

describe("note encryption", () => {
  it("decrypts for the recipient only, and only at its own output", () => {
    const [alice, bob] = wallets;
    const open = (w: typeof alice, out: ShieldedOutput) =>
      tryDecryptNote(w!.vk, new X25519Agreement(w!.vk.secret), out);
    // one spend: one ephemeral key, an output for each of two recipients
    const esk = ephemeralSecret();
    const toAlice = output(noteFor(alice!, 42n), alice!.address, esk);
    const toBob = output(noteFor(bob!, 43n), bob!.address, esk);
    expect(toAlice.note.epk).toEqual(toBob.note.epk);
    expect(open(alice, toAlice)?.value).toBe(42n);
    expect(open(bob, toBob)?.value).toBe(43n);
    expect(open(bob, toAlice)).toBeUndefined();
    expect(open(alice, toBob)).toBeUndefined();
    // a ciphertext moved to another output, or altered, no longer decrypts
    const other = output(noteFor(alice!, 44n), alice!.address, esk);
    expect(open(alice, { commitment: other.commitment, note: toAlice.note })).toBeUndefined();
    const tampered = { ...toAlice.note, ciphertext: Uint8Array.from(toAlice.note.ciphertext) };
    tampered.ciphertext[3]! ^= 1;
    expect(open(alice, { commitment: toAlice.commitment, note: tampered })).toBeUndefined();
  });

  it("lets each viewing key find exactly its own notes among many outputs", () => {
    const outputs: ShieldedOutput[] = [];
    const expected: number[][] = [[], [], []];
    for (let i = 0; i < 120; i++) {
      const w = i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0;
      if (w !== 0 || i % 5 === 0) expected[w]!.push(i);
      // wallet 0 only receives every fifth of its outputs; the rest go to random strangers
      const to = w === 0 && i % 5 !== 0 ? addressOf(randomSpendingKey()) : wallets[w]!.address;
      const note = { ...noteFor(wallets[w]!, BigInt(i)), owner: to.pk };
      outputs.push(output(note, to));
    }
    wallets.forEach((w, k) => {
      const { found, stats } = scanOutputs(w.vk, outputs);
      expect(found.map((f) => f.index)).toEqual(expected[k]);
      expect(
        found.every((f) => f.note.owner === w.vk.pk || f.note.owner.every((v, j) => v === w.vk.pk[j])),
      ).toBe(true);
      // the view tag spares almost every trial decryption (~1 in 256 of the others match)
      expect(stats.decrypted).toBe(found.length);
      expect(stats.tagMatches - found.length).toBeLessThan(10);
    });
  });

  it("ignores a note that does not open the output's commitment (a lying sender)", () => {
    const real = noteFor(wallets[0]!, 5n);
    const lie = { ...real, value: 5000n };
    const cm = commitmentOf(real);
    const out = { commitment: cm, note: encryptNote(lie, wallets[0]!.address, ephemeralSecret(), cm) };
    const { found, stats } = scanOutputs(wallets[0]!.vk, [out]);
    expect(found).toEqual([]);
    expect(stats.decrypted).toBe(1);
  });

  it("computes X25519 natively exactly as @noble does, and refuses low-order points in both", () => {
    for (let i = 0; i < 20; i++) {
      const a = x25519.utils.randomSecretKey();
      const B = x25519.getPublicKey(x25519.utils.randomSecretKey());
      expect(new X25519Agreement(a).shared(B)).toEqual(nobleShared(a, B));
    }
    const a = x25519.utils.randomSecretKey();
    for (const lowOrder of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
      expect(new X25519Agreement(a).shared(lowOrder)).toBeUndefined();
      expect(nobleShared(a, lowOrder)).toBeUndefined();
    }
    expect(new X25519Agreement(a).shared(new Uint8Array(31))).toBeUndefined();
  });

  it("encodes an encrypted note in a fixed size and refuses any other", () => {
    const e = encryptNote(noteFor(wallets[1]!, 9n), wallets[1]!.address);
    const bytes = encodeEncryptedNote(e);
    expect(bytes.length).toBe(ENCRYPTED_NOTE_BYTES);
    expect(decodeEncryptedNote(bytes)).toEqual(e);
    for (const bad of [bytes.subarray(1), new Uint8Array(ENCRYPTED_NOTE_BYTES + 1)]) {
      expect(() => decodeEncryptedNote(bad)).toThrow(ShieldedError);
    }
    expect(() => encryptNote({ ...noteFor(wallets[1]!, 1n), value: 2n ** 64n }, wallets[1]!.address)).toThrow(
      ShieldedError,
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  accountFromMnemonic,
  accountPath,
  addressHexOf,
  generateMnemonic,
  isValidMnemonic,
  mnemonicToSeed,
  parsePath,
  sha256,
  signingKeyFromSeed,
  signRaw,
  slip10Derive,
  verify,
} from "../src/index.js";

const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");
const b = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** SLIP-0010 "Test vector 1/2 for ed25519": [path, chain code, private key]. */
const SLIP10 = [
  {
    seed: "000102030405060708090a0b0c0d0e0f",
    chain: [
      [
        "m",
        "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
        "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
      ],
      [
        "m/0'",
        "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
        "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
      ],
      [
        "m/0'/1'",
        "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
        "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
      ],
      [
        "m/0'/1'/2'",
        "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c",
        "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
      ],
      [
        "m/0'/1'/2'/2'",
        "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc",
        "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
      ],
      [
        "m/0'/1'/2'/2'/1000000000'",
        "68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230",
        "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793",
      ],
    ],
  },
  {
    seed: "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542",
    chain: [
      [
        "m",
        "ef70a74db9c3a5af931b5fe73ed8e1a53464133654fd55e7a66f8570b8e33c3b",
        "171cb88b1b3c1db25add599712e36245d75bc65a1a5c9e18d76f9f2b1eab4012",
      ],
      [
        "m/0'",
        "0b78a3226f915c082bf118f83618a618ab6dec793752624cbeb622acb562862d",
        "1559eb2bbec5790b0c65d8693e4d0875b1747f4970ae8b650486ed7470845635",
      ],
      [
        "m/0'/2147483647'",
        "138f0b2551bcafeca6ff2aa88ba8ed0ed8de070841f0c4ef0165df8181eaad7f",
        "ea4f5bfe8694d8bb74b7b59404632fd5968b774ed545e810de9c32a4fb4192f4",
      ],
      [
        "m/0'/2147483647'/1'",
        "73bd9fff1cfbde33a1b846c27085f711c0fe2d66fd32e139d3ebc28e5a4a6b90",
        "3757c7577170179c7868353ada796c839135b3d30554bbb74a4b1e4a5a58505c",
      ],
      [
        "m/0'/2147483647'/1'/2147483646'",
        "0902fe8a29f9140480a00ef244bd183e8a13288e4412d8389d140aac1794825a",
        "5837736c89570de861ebc173b1086da4f505d4adb387c6a1b1342d5e4ac9ec72",
      ],
      [
        "m/0'/2147483647'/1'/2147483646'/2'",
        "5d70af781f3a37b829f0d060924d5e960bdc02e85423494afc0b1a41bbe196d4",
        "551d333177df541ad876a60ea71f00447931c0a9da16f227c11ea080d7391b8d",
      ],
    ],
  },
];

describe("SLIP-0010 ed25519 (the spec's test vectors)", () => {
  for (const v of SLIP10) {
    it.each(v.chain)(`seed ${v.seed.slice(0, 8)}… %s`, (path, chainCode, key) => {
      const node = slip10Derive(b(v.seed), path!);
      expect(hex(node.chainCode)).toBe(chainCode);
      expect(hex(node.key)).toBe(key);
    });
  }

  it("master public key of vector 1 matches the spec (00 ‖ Ed25519 public key)", () => {
    const master = slip10Derive(b(SLIP10[0]!.seed), "m");
    expect(`00${hex(signingKeyFromSeed(master.key).publicKey)}`).toBe(
      "00a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed",
    );
  });

  it.each(["m/0", "m/0'/1", "44'/0'", "m/2147483648'", "m//0'", ""])("refuses path %j", (path) => {
    expect(() => parsePath(path)).toThrow(expect.objectContaining({ code: "BAD_PATH" }));
  });
});

describe("BIP-39 mnemonics and accounts", () => {
  const ABANDON =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

  it("derives the BIP-39 reference seed (passphrase TREZOR)", () => {
    expect(hex(mnemonicToSeed(ABANDON, "TREZOR"))).toBe(
      "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
    );
  });

  it("generates valid 12- and 24-word phrases", () => {
    expect(generateMnemonic(12).split(" ")).toHaveLength(12);
    const phrase = generateMnemonic();
    expect(phrase.split(" ")).toHaveLength(24);
    expect(isValidMnemonic(phrase)).toBe(true);
  });

  it("refuses a wrong checksum or word, tolerates case and spacing", () => {
    expect(() => mnemonicToSeed(ABANDON.replace("about", "abandon"))).toThrow(
      expect.objectContaining({ code: "BAD_MNEMONIC" }),
    );
    expect(isValidMnemonic(ABANDON.replace("about", "aboot"))).toBe(false);
    expect(hex(mnemonicToSeed(`  ${ABANDON.toUpperCase().replaceAll(" ", "   ")}\n`))).toBe(
      hex(mnemonicToSeed(ABANDON)),
    );
  });

  it("accounts are deterministic per index, and sign with their address's key", () => {
    const a0 = accountFromMnemonic(ABANDON, 0);
    const again = accountFromMnemonic(ABANDON, 0);
    const a1 = accountFromMnemonic(ABANDON, 1);
    expect(a0.path).toBe(accountPath(0));
    expect(a0.path).toBe("m/44'/7337'/0'/0'/0'");
    expect(hex(again.publicKey)).toBe(hex(a0.publicKey));
    expect(hex(a1.publicKey)).not.toBe(hex(a0.publicKey));
    expect(hex(a0.address)).toBe(addressHexOf(a0.publicKey));
    expect(hex(a0.address)).toBe(hex(sha256(a0.publicKey).subarray(0, 20)));
    expect(addressHexOf(a0.publicKey)).toMatch(/^[0-9a-f]{40}$/);
    const msg = new TextEncoder().encode("hello");
    expect(verify(signRaw(a0, msg), msg, a0.publicKey)).toBe(true);
    // A passphrase gives a different wallet.
    expect(hex(accountFromMnemonic(ABANDON, 0, "x").publicKey)).not.toBe(hex(a0.publicKey));
  });
});

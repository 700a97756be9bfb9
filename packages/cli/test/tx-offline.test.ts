import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MAX_SHIELDED_TX_BYTES } from "@p2pnode/codec";
import { accountFromMnemonic } from "@p2pnode/crypto";
import { beforeAll, describe, expect, it } from "vitest";

/*
 * The offline half of `tx sign` → `tx submit`: with --nonce and --chain-id nothing asks a node
 * (--node names a port nothing listens on), and `tx decode` shows what the hex holds before it
 * is carried anywhere. The submit half runs against a real node in tx.e2e.test.ts.
 */
const CLI = resolve(import.meta.dirname, "../dist/main.js");
const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const wallet = join(mkdtempSync(join(tmpdir(), "p2pnode-tx-offline-")), "w.json");
const TO = "5e".repeat(20);
const NOWHERE = "http://127.0.0.1:1";

function p2pnode(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    input,
    env: { PATH: process.env.PATH },
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
const sign = (...extra: string[]) =>
  p2pnode([
    "tx",
    "sign",
    "--wallet",
    wallet,
    "--to",
    TO,
    "--amount",
    "2.5",
    "--fee",
    "42u",
    "--memo",
    "rent",
    "--node",
    NOWHERE,
    ...extra,
  ]);

beforeAll(() => {
  expect(p2pnode(["wallet", "--wallet", wallet, "import"], MNEMONIC).status).toBe(0);
});

describe("p2pnode tx sign / tx decode, offline", () => {
  it("signs with --nonce and --chain-id without a node, and decode shows exactly what was signed", () => {
    const signed = sign("--nonce", "7", "--chain-id", "devnet-0a1b2c");
    expect(signed.status).toBe(0);
    const hex = signed.out.trim();
    const id = createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");
    expect(signed.err).toBe(`signed ${id} (nonce 7, chain devnet-0a1b2c)\n`);
    // Ed25519 is deterministic: the same transfer signs to the same bytes.
    expect(sign("--nonce", "7", "--chain-id", "devnet-0a1b2c").out.trim()).toBe(hex);

    const decoded = p2pnode(["tx", "decode", hex, "--chain-id", "devnet-0a1b2c"]);
    expect(decoded.status).toBe(0);
    const from = Buffer.from(accountFromMnemonic(MNEMONIC).publicKey).toString("hex");
    expect(JSON.parse(decoded.out)).toEqual({
      id,
      tx: { kind: "transfer", from, to: TO, amount: "250000000", fee: "42", nonce: 7, memo: "72656e74" },
      signature: expect.stringMatching(/^[0-9a-f]{128}$/),
      signatureValid: true,
    });
    // Signed for another network: decode says so (the chain id is in what is signed).
    const other = p2pnode(["tx", "decode", "-", "--chain-id", "devnet-ffffff"], `${hex}\n`);
    expect(JSON.parse(other.out).signatureValid).toBe(false);
  });

  it("asks the node only for what is missing, and says so when it cannot reach it", () => {
    const r = sign("--nonce", "7");
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/127\.0\.0\.1:1\/tip/);
  });

  it("refuses bad input with one line: chain id, hex, a cut or extended encoding, too much on stdin", () => {
    const hex = sign("--nonce", "0", "--chain-id", "devnet-0a1b2c").out.trim();
    const cases: [ReturnType<typeof p2pnode>, RegExp][] = [
      [sign("--nonce", "0", "--chain-id", "Bad_Id"), /--chain-id:/],
      [p2pnode(["tx", "decode", "xyz"]), /<hex>: expected lowercase hex/],
      [p2pnode(["tx", "decode", hex.slice(0, -2)]), /signed transaction/],
      [p2pnode(["tx", "decode", `${hex}00`]), /after the end/],
      [p2pnode(["tx", "submit", `${hex}00`, "--node", NOWHERE]), /after the end/],
      // More on stdin than the largest tx's hex: refused while reading, not after buffering it all.
      [
        p2pnode(["tx", "decode", "-"], "a".repeat(2 * MAX_SHIELDED_TX_BYTES + 3)),
        /stdin: longer than the largest/,
      ],
    ];
    for (const [r, message] of cases) {
      expect([r.status, r.err.trim().split("\n").length]).toEqual([1, 1]);
      expect(r.err).toMatch(message);
    }
  });
});

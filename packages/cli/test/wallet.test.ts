import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { accountFromMnemonic } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";

const CLI = resolve(import.meta.dirname, "../dist/main.js");
const VECTOR =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

function p2pnode(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    input,
    env: { PATH: process.env.PATH },
  });
}

describe("p2pnode wallet", () => {
  it("new: writes a 0600 file and prints the address but never the mnemonic", () => {
    const file = join(mkdtempSync(join(tmpdir(), "p2pnode-wallet-")), "w.json");
    const r = p2pnode(["wallet", "--wallet", file, "new"]);
    expect(r.status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { mnemonic } = JSON.parse(readFileSync(file, "utf8")) as { mnemonic: string };
    expect(mnemonic.split(" ")).toHaveLength(24);
    expect(r.stdout).not.toContain(mnemonic.split(" ").slice(0, 3).join(" "));
    const address = Buffer.from(accountFromMnemonic(mnemonic).address).toString("hex");
    expect(r.stdout).toContain(`address:    ${address}`);
    const again = p2pnode(["wallet", "--wallet", file, "new"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(JSON.parse(readFileSync(file, "utf8")).mnemonic).toBe(mnemonic);
  });

  it("import: reads the mnemonic from stdin and derives the same account as the library", () => {
    const file = join(mkdtempSync(join(tmpdir(), "p2pnode-wallet-")), "w.json");
    const r = p2pnode(["wallet", "--wallet", file, "import"], `  ${VECTOR.toUpperCase()}\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(Buffer.from(accountFromMnemonic(VECTOR).address).toString("hex"));
    const shown = p2pnode(["wallet", "--wallet", file, "show", "--mnemonic"]);
    expect(shown.stdout).toContain(`mnemonic:   ${VECTOR}`);
    expect(p2pnode(["wallet", "--wallet", file, "show"]).stdout).not.toContain("abandon");
  });

  it("import: refuses a mnemonic with a bad checksum and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-wallet-"));
    const r = p2pnode(
      ["wallet", "--wallet", join(dir, "w.json"), "import"],
      VECTOR.replace("about", "abandon"),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a valid English BIP-39 mnemonic/);
    expect(() => statSync(join(dir, "w.json"))).toThrow();
  });

  it("show: refuses a wallet file others can read", () => {
    const file = join(mkdtempSync(join(tmpdir(), "p2pnode-wallet-")), "w.json");
    p2pnode(["wallet", "--wallet", file, "import"], VECTOR);
    spawnSync("chmod", ["644", file]);
    const r = p2pnode(["wallet", "--wallet", file, "show"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/must be 600/);
  });
});

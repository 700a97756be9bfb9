import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IDENTITY_FILE, loadOrCreateIdentity, nodeIdOf } from "../src/identity.js";

describe("node identity", () => {
  it("is created once with mode 0600 and reloads to the same NodeId", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-id-"));
    const a = loadOrCreateIdentity(dir);
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
    const b = loadOrCreateIdentity(dir);
    expect(b.nodeIdHex).toBe(a.nodeIdHex);
    expect(Buffer.from(nodeIdOf(a.publicKey)).toString("hex")).toBe(a.nodeIdHex);
    expect(a.nodeIdHex).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a key file others can read and a corrupt one", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-id-"));
    loadOrCreateIdentity(dir);
    const file = join(dir, IDENTITY_FILE);
    chmodSync(file, 0o644);
    expect(() => loadOrCreateIdentity(dir)).toThrow(/mode 644/);
    writeFileSync(file, "not hex\n", { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadOrCreateIdentity(dir)).toThrow(/32-byte hex seed/);
    expect(readFileSync(file, "utf8")).toBe("not hex\n");
  });
});

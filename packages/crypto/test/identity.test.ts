import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  IDENTITY_FILE,
  installIdentity,
  loadOrCreateIdentity,
  nodeIdOf,
  nodeKeyFromSeed,
} from "../src/identity.js";

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

describe("an installed identity (P2PNODE_IDENTITY_KEY_FILE)", () => {
  const seed = "07".repeat(32);
  const source = (mode: number, text = `${seed}\n`) => {
    const file = join(mkdtempSync(join(tmpdir(), "p2pnode-key-")), "validator-0.key");
    writeFileSync(file, text);
    chmodSync(file, mode);
    return file;
  };
  const want = nodeKeyFromSeed(Buffer.from(seed, "hex")).nodeIdHex;

  it("becomes the data dir's identity (mode 0600) on first start, and stays on later starts", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "p2pnode-id-")), "data");
    const file = source(0o440); // a Kubernetes Secret under fsGroup: group-readable
    expect(installIdentity(dir, file).nodeIdHex).toBe(want);
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateIdentity(dir).nodeIdHex).toBe(want);
    expect(installIdentity(dir, file).nodeIdHex).toBe(want);
  });

  it("refuses a data dir that holds another identity, and leaves it as it was", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-id-"));
    const other = loadOrCreateIdentity(dir);
    expect(() => installIdentity(dir, source(0o600))).toThrow(/holds another identity/);
    expect(loadOrCreateIdentity(dir).nodeIdHex).toBe(other.nodeIdHex);
  });

  it("refuses a key file others can write, a corrupt one and a missing one, installing nothing", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "p2pnode-id-")), "data");
    expect(() => installIdentity(dir, source(0o666))).toThrow(
      /mode 666; others must not be able to write it/,
    );
    expect(() => installIdentity(dir, source(0o600, "zz\n"))).toThrow(/32-byte hex seed/);
    expect(() => installIdentity(dir, join(dir, "nope.key"))).toThrow(/ENOENT/);
    expect(() => statSync(join(dir, IDENTITY_FILE))).toThrow();
  });
});

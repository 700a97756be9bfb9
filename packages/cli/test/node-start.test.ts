import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadOrCreateIdentity, nodeKeyFromSeed } from "@p2pnode/crypto";
import { freePortBase } from "@p2pnode/devnet";
import { freePort, testGenesis } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// These run the built CLI exactly as a user (or the container) would.
const CLI = resolve(import.meta.dirname, "../dist/main.js");

/** A valid genesis file, so a test reaches the check it is about. */
const GENESIS = join(mkdtempSync(join(tmpdir(), "p2pnode-cli-genesis-")), "genesis.json");
writeFileSync(GENESIS, JSON.stringify(testGenesis()));

/** `p2pnode node start [args]` with `env` over a fresh data dir and silent logs. */
function nodeStart(env: NodeJS.ProcessEnv, args: readonly string[] = []) {
  const dataDir = env.P2PNODE_DATA_DIR ?? mkdtempSync(join(tmpdir(), "p2pnode-cli-"));
  return spawnSync(process.execPath, [CLI, "node", "start", ...args], {
    env: { PATH: process.env.PATH, P2PNODE_DATA_DIR: dataDir, P2PNODE_LOG_LEVEL: "silent", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

function oneLineError(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l.trim().length > 0);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

/**
 * A port base whose ports are free and below the kernel's ephemeral range: a fixed base in that
 * range (33000) once met a port taken by some outgoing connection, and the check a test is about
 * came after the port check.
 */
let BASE = "";
beforeAll(async () => {
  BASE = String(await freePortBase(1));
});

describe("p2pnode node start: start-up failures are one clear line", () => {
  it.each([
    ["P2PNODE_ROLE", "banana"],
    ["P2PNODE_CHAIN_PORT", "70000"],
    ["P2PNODE_PORT_BASE", "-5"],
  ])("%s=%s exits 2 naming the variable", (name, value) => {
    const r = nodeStart({ [name]: value });
    expect(r.status).toBe(2);
    expect(oneLineError(r.stderr)).toMatch(new RegExp(`^p2pnode: config error: invalid ${name}=`));
  });

  it("exits 1 when nats-server is missing", () => {
    const r = nodeStart({
      P2PNODE_GENESIS: GENESIS,
      P2PNODE_NATS_SERVER_BIN: "/nonexistent/nats-server",
      P2PNODE_PORT_BASE: BASE,
    });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/nats-server not found at P2PNODE_NATS_SERVER_BIN/);
  });

  it("exits 1 when the genesis file is missing or invalid", () => {
    const r = nodeStart({ P2PNODE_GENESIS: "/nonexistent/genesis.json", P2PNODE_PORT_BASE: BASE });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/^p2pnode: P2PNODE_GENESIS=\/nonexistent\/genesis\.json: ENOENT/);
    const zero = join(mkdtempSync(join(tmpdir(), "p2pnode-cli-")), "zero.json");
    const consensus = { ...testGenesis().consensus, initialTarget: "0".repeat(64) };
    writeFileSync(zero, JSON.stringify(testGenesis({ consensus })));
    const z = nodeStart({ P2PNODE_GENESIS: zero, P2PNODE_PORT_BASE: BASE });
    expect(z.status).toBe(1);
    expect(oneLineError(z.stderr)).toMatch(
      /P2PNODE_GENESIS=.*zero\.json: consensus\.initialTarget must not be zero/,
    );
  });

  it("exits 1 as a validator outside a dolev-strong network or with a key the genesis does not list", () => {
    const pow = nodeStart({
      P2PNODE_GENESIS: GENESIS,
      P2PNODE_ROLE: "validator",
      P2PNODE_PORT_BASE: BASE,
    });
    expect(pow.status).toBe(1);
    expect(oneLineError(pow.stderr)).toMatch(/^p2pnode: P2PNODE_ROLE=validator needs a dolev-strong network/);
    const ds = join(mkdtempSync(join(tmpdir(), "p2pnode-cli-")), "ds.json");
    const consensus = {
      ...testGenesis().consensus,
      kind: "dolev-strong" as const,
      f: 0,
      roundMs: 100,
      slotMs: 200,
    };
    writeFileSync(
      ds,
      JSON.stringify(testGenesis({ consensus, validators: [{ publicKey: "11".repeat(32) }] })),
    );
    const r = nodeStart({ P2PNODE_GENESIS: ds, P2PNODE_ROLE: "validator", P2PNODE_PORT_BASE: BASE });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/is not among the genesis validators$/);
  });

  it("runs under the identity of P2PNODE_IDENTITY_KEY_FILE, and refuses a data dir holding another", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-cli-"));
    const keyFile = join(dir, "validator-0.key");
    writeFileSync(keyFile, `${"07".repeat(32)}\n`, { mode: 0o600 });
    const publicKey = Buffer.from(nodeKeyFromSeed(Buffer.alloc(32, 7)).publicKey).toString("hex");
    const consensus = {
      ...testGenesis().consensus,
      kind: "dolev-strong" as const,
      f: 0,
      roundMs: 100,
      slotMs: 200,
    };
    const ds = join(dir, "ds.json");
    writeFileSync(
      ds,
      JSON.stringify(testGenesis({ consensus, validators: [{ publicKey: "11".repeat(32) }] })),
    );
    const env = { P2PNODE_GENESIS: ds, P2PNODE_ROLE: "validator", P2PNODE_PORT_BASE: BASE };
    // The role check sees the installed key, not a fresh one.
    const r = nodeStart({ ...env, P2PNODE_IDENTITY_KEY_FILE: keyFile });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(new RegExp(`identity key ${publicKey} is not among`));
    // A data dir that already holds another identity is never taken over.
    const dataDir = mkdtempSync(join(tmpdir(), "p2pnode-cli-"));
    loadOrCreateIdentity(dataDir);
    const other = nodeStart({ ...env, P2PNODE_DATA_DIR: dataDir, P2PNODE_IDENTITY_KEY_FILE: keyFile });
    expect(other.status).toBe(1);
    expect(oneLineError(other.stderr)).toMatch(
      /^p2pnode: P2PNODE_IDENTITY_KEY_FILE=.*validator-0\.key: .* holds another identity/,
    );
  });

  it("exits 1 when no genesis file is given: a node needs its network", () => {
    // At the default log level: a start refused before it ran anything logs no "node stopped".
    const r = nodeStart({ P2PNODE_PORT_BASE: BASE, P2PNODE_LOG_LEVEL: "info" });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toBe(
      "p2pnode: P2PNODE_GENESIS is not set: a node needs its network's genesis file",
    );
    expect(r.stdout).toBe("");
  });

  describe("with a port already taken", () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    });
    afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

    it("exits 1 naming the port and its variable, starting nothing", () => {
      const r = nodeStart({
        P2PNODE_GENESIS: GENESIS,
        P2PNODE_PORT_BASE: BASE,
        P2PNODE_CHAIN_PORT: String(port),
      });
      expect(r.status).toBe(1);
      expect(oneLineError(r.stderr)).toBe(
        `p2pnode: port ${port}/tcp (P2PNODE_CHAIN_PORT, chain REST) on 127.0.0.1 is already in use`,
      );
    });
  });

  it.each([
    [["--bogus"], "error: unknown option '--bogus'"],
    [["--role", "miner"], "error: unknown option '--role'"],
    [["extra"], "error: too many arguments for 'start'. Expected 0 arguments but got 1."],
  ])("refuses %j before starting anything (the node is configured by P2PNODE_* only)", (args, why) => {
    // With a genesis and free ports, the bare command would start a node: these must not, and did
    // (the arguments were ignored).
    const r = nodeStart({ P2PNODE_GENESIS: GENESIS, P2PNODE_PORT_BASE: BASE }, args);
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(why);
    expect(r.stderr).toContain("Usage: p2pnode node start");
    expect(r.stdout).toBe("");
  });

  it("prints help that names the command", () => {
    const r = spawnSync(process.execPath, [CLI, "node", "start", "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/P2PNODE_ROLE/);
  });
});

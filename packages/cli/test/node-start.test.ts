import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, testGenesis } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// These run the built CLI exactly as a user (or the container) would.
const CLI = resolve(import.meta.dirname, "../dist/main.js");

/** A valid genesis file, so a test reaches the check it is about. */
const GENESIS = join(mkdtempSync(join(tmpdir(), "p2pnode-cli-genesis-")), "genesis.json");
writeFileSync(GENESIS, JSON.stringify(testGenesis()));

function nodeStart(env: NodeJS.ProcessEnv) {
  const dataDir = mkdtempSync(join(tmpdir(), "p2pnode-cli-"));
  return spawnSync(process.execPath, [CLI, "node", "start"], {
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

  it("refuses the validator role until consensus lands, with one line", () => {
    const r = nodeStart({ P2PNODE_ROLE: "validator", P2PNODE_GENESIS: GENESIS, P2PNODE_PORT_BASE: "33000" });
    expect(r.status).toBe(2);
    expect(oneLineError(r.stderr)).toBe(
      "p2pnode: config error: P2PNODE_ROLE=validator is not available yet (Dolev-Strong consensus is pending): use miner, full or light",
    );
  });

  it("exits 1 when nats-server is missing", () => {
    const r = nodeStart({
      P2PNODE_GENESIS: GENESIS,
      P2PNODE_NATS_SERVER_BIN: "/nonexistent/nats-server",
      P2PNODE_PORT_BASE: "33000",
    });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/nats-server not found at P2PNODE_NATS_SERVER_BIN/);
  });

  it("exits 1 when the genesis file is missing or invalid", () => {
    const r = nodeStart({ P2PNODE_GENESIS: "/nonexistent/genesis.json", P2PNODE_PORT_BASE: "33000" });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/^p2pnode: P2PNODE_GENESIS=\/nonexistent\/genesis\.json: ENOENT/);
    const zero = join(mkdtempSync(join(tmpdir(), "p2pnode-cli-")), "zero.json");
    const consensus = { ...testGenesis().consensus, initialTarget: "0".repeat(64) };
    writeFileSync(zero, JSON.stringify(testGenesis({ consensus })));
    const z = nodeStart({ P2PNODE_GENESIS: zero, P2PNODE_PORT_BASE: "33000" });
    expect(z.status).toBe(1);
    expect(oneLineError(z.stderr)).toMatch(
      /P2PNODE_GENESIS=.*zero\.json: consensus\.initialTarget must not be zero/,
    );
  });

  it("exits 1 when no genesis file is given: a node needs its network", () => {
    const r = nodeStart({ P2PNODE_PORT_BASE: "33000" });
    expect(r.status).toBe(1);
    expect(oneLineError(r.stderr)).toBe(
      "p2pnode: P2PNODE_GENESIS is not set: a node needs its network's genesis file",
    );
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
        P2PNODE_PORT_BASE: "34000",
        P2PNODE_CHAIN_PORT: String(port),
      });
      expect(r.status).toBe(1);
      expect(oneLineError(r.stderr)).toBe(
        `p2pnode: port ${port}/tcp (P2PNODE_CHAIN_PORT, chain REST) on 127.0.0.1 is already in use`,
      );
    });
  });

  it("prints help that names the command", () => {
    const r = spawnSync(process.execPath, [CLI, "node", "start", "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/P2PNODE_ROLE/);
  });
});

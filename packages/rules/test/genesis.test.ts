import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "@p2pnode/codec";
import { headerHash } from "@p2pnode/crypto";
import { type Genesis, NodeNetwork } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { GenesisError, genesisBlock, genesisDigest, networkOf, readGenesisFile } from "../src/index.js";

const genesis = (): Genesis => ({
  chainId: "rules-test",
  timestamp: 1_700_000_000_000,
  allocations: [{ address: "11".repeat(20), balance: "1000000" }],
  consensus: {
    targetBlockTimeMs: 2_000,
    initialTarget: "ff".repeat(32),
    retargetWindow: 10,
    blockReward: "50",
  },
  validators: [],
});

const dir = mkdtempSync(join(tmpdir(), "p2pnode-rules-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("genesis: one reader, one genesis block, one network identity", () => {
  it("derives the same genesis hash from the same document, another from any change", () => {
    const g = genesis();
    expect(toHex(genesisBlock(g).hash)).toBe(toHex(genesisBlock(structuredClone(g)).hash));
    const changes: ((g: Genesis) => void)[] = [
      (g) => {
        g.allocations[0]!.balance = "1000001";
      },
      (g) => {
        g.timestamp += 1;
      },
      (g) => {
        g.consensus.blockReward = "51";
      },
      (g) => {
        g.chainId = "rules-test-2";
      },
    ];
    for (const change of changes) {
      const other = structuredClone(g);
      change(other);
      expect(toHex(genesisBlock(other).hash)).not.toBe(toHex(genesisBlock(g).hash));
    }
  });

  it("commits to the whole document in the genesis header's stateRoot", () => {
    const { block, hash } = genesisBlock(genesis());
    expect(block.header.stateRoot).toEqual(genesisDigest(genesis()));
    expect(block.header).toMatchObject({ height: 0, timestamp: genesis().timestamp, nonce: 0n });
    expect(hash).toEqual(headerHash(block.header));
  });

  it("makes the network identity every service uses: chain id and genesis block hash", () => {
    const n = networkOf(genesis());
    expect(n).toEqual({
      chainId: "rules-test",
      genesisHash: toHex(genesisBlock(genesis()).hash),
      genesis: genesis(),
    });
    expect(NodeNetwork.parse(n)).toEqual(n);
    expect(NodeNetwork.safeParse({ ...n, chainId: "someone-else" }).success).toBe(false);
  });

  it("reads a good file back to the same document", () => {
    expect(readGenesisFile(file("good.json", genesis()))).toEqual(genesis());
  });

  const zeroTarget = { ...genesis(), consensus: { ...genesis().consensus, initialTarget: "00".repeat(32) } };
  const twice = { ...genesis(), allocations: [...genesis().allocations, ...genesis().allocations] };
  it.each([
    ["a missing file", join(dir, "missing.json"), /missing\.json: ENOENT/],
    ["a file that is not JSON", file("text.json", "chainId: x\n"), /text\.json: Unexpected token/],
    [
      "a document without allocations",
      file("bad.json", { chainId: "x", timestamp: 1 }),
      /bad\.json: allocations: /,
    ],
    [
      "a zero initial target",
      file("zero.json", zeroTarget),
      /zero\.json: consensus\.initialTarget must not be zero/,
    ],
    [
      "an address allocated twice",
      file("twice.json", twice),
      /twice\.json: address 1{40} is allocated twice/,
    ],
  ])("refuses %s with one line that starts with the path", (_what, path, pattern) => {
    let err: unknown;
    try {
      readGenesisFile(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GenesisError);
    expect(err).toMatchObject({ code: "GENESIS_INVALID" });
    const message = (err as Error).message;
    expect(message.startsWith(path)).toBe(true);
    expect(message).toMatch(pattern);
    expect(message).not.toContain("\n");
  });
});

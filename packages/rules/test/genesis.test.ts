import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeCanonical, toHex } from "@p2pnode/codec";
import { headerHash, sha256 } from "@p2pnode/crypto";
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

describe("PROTOCOL.md's genesis rule", () => {
  const doc = readFileSync(createRequire(import.meta.url).resolve("@p2pnode/codec/PROTOCOL.md"), "utf8");

  it("computes the genesis digest and hash exactly as the document says", () => {
    const row =
      /^\| genesis digest \| SHA-256\(`"([^"]+)"` ‖ deterministic CBOR of the genesis file as parsed\); the genesis header's `stateRoot`/m.exec(
        doc,
      );
    expect(row, "PROTOCOL.md states the genesis digest rule").not.toBeNull();
    const g = genesis();
    const digest = sha256(new TextEncoder().encode(row![1]!), encodeCanonical(g as never));
    expect(toHex(genesisDigest(g))).toBe(toHex(digest));
    expect(doc).toMatch(
      /^\| genesis hash +\| the block hash of the genesis block \(height 0, whose `stateRoot` is the genesis digest\)/m,
    );
    const { block, hash } = genesisBlock(g);
    expect(block.header.height).toBe(0);
    expect(toHex(block.header.stateRoot)).toBe(toHex(digest));
    expect(toHex(block.header.prevHash)).toBe("00".repeat(32));
    expect(toHex(hash)).toBe(toHex(headerHash(block.header)));
  });
});

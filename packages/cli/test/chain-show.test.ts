import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { HEADER_VERSION, headerToJson } from "@p2pnode/codec";
import type { BlockPage } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * `p2pnode chain show` against a node of a dolev-strong network: a final column with each block's
 * signer count. The node is a stand-in HTTP server answering GET /blocks as a chain service does.
 */

const CLI = resolve(import.meta.dirname, "../dist/main.js");
const run = promisify(execFile);

const header = (height: number) =>
  headerToJson({
    version: HEADER_VERSION,
    height,
    prevHash: new Uint8Array(32),
    txRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    timestamp: 1_767_225_600_000 + height * 3_000,
    target: new Uint8Array(32).fill(0xff),
    miner: new Uint8Array(20).fill(height),
    nonce: 0n,
  });
const certificate = (signers: number[]) => ({
  slot: 7,
  bitmask: "07",
  signers,
  signatures: signers.map(() => "ab".repeat(64)),
  hex: "00",
});
const block = (height: number, extra: object) => ({
  hash: String(height).padStart(2, "0").repeat(32),
  height,
  header: header(height),
  txCount: 0,
  sizeBytes: 0,
  totalWork: "1",
  status: "main" as const,
  receivedAt: 0,
  ...extra,
});

let page: BlockPage;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.url?.startsWith("/blocks") ? page : {}));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("p2pnode chain show", () => {
  it("marks final blocks with their signer count in a dolev-strong network", async () => {
    page = {
      blocks: [
        block(0, { final: true, certificate: null }),
        block(1, { final: true, certificate: certificate([0, 1, 2]) }),
        block(2, { final: true, certificate: certificate([1, 3]) }),
      ],
      tipHeight: 2,
      next: null,
    } as BlockPage;
    const { stdout } = await run(process.execPath, [CLI, "chain", "show", "--node", url, "--limit", "3"]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/height\s+hash\s+txs\s+miner\s+time\s+final/);
    expect(lines.find((l) => /^\s*2\s/.test(l))).toMatch(/final \(2 signers\)\s*$/);
    expect(lines.find((l) => /^\s*1\s/.test(l))).toMatch(/final \(3 signers\)\s*$/);
    expect(lines.find((l) => /^\s*0\s/.test(l))).toMatch(/final \(genesis\)\s*$/);
  });

  it("has no final column in a proof-of-work network", async () => {
    page = { blocks: [block(1, {})], tipHeight: 1, next: null } as BlockPage;
    const { stdout } = await run(process.execPath, [CLI, "chain", "show", "--node", url]);
    expect(stdout).not.toContain("final");
  });
});

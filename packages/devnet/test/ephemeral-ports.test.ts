import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Devnet, DevnetError } from "../src/devnet.js";
import { ephemeralOverlap, ephemeralPortRange } from "../src/ephemeral-ports.js";
import { DEFAULT_PORT_BASE, MAX_NODES } from "../src/layout.js";

const LINUX_DEFAULT = [32768, 60999] as const;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("ephemeralOverlap", () => {
  it("accepts 12 nodes at the default base and refuses the 13th, whose ports reach 32768", () => {
    expect(ephemeralOverlap(DEFAULT_PORT_BASE, 12, LINUX_DEFAULT)).toBeUndefined();
    const why = ephemeralOverlap(DEFAULT_PORT_BASE, 13, LINUX_DEFAULT);
    expect(why).toContain("node12 (32100-32900)");
    expect(why).toContain("ephemeral port range 32768-60999");
    expect(why).toContain("--port-base 19000");
    // The README's example: 9000 holds 23 nodes.
    expect(ephemeralOverlap(9000, 23, LINUX_DEFAULT)).toBeUndefined();
    expect(ephemeralOverlap(9000, 24, LINUX_DEFAULT)).toContain("node23");
  });

  it("suggests a base that really fits", () => {
    for (let n = 1; n <= 30; n++) {
      const why = ephemeralOverlap(40000, n, LINUX_DEFAULT);
      const base = Number(/--port-base (\d+)/.exec(why ?? "")?.[1]);
      expect(base, `${n} nodes`).toBeGreaterThanOrEqual(1024);
      expect(ephemeralOverlap(base, n, LINUX_DEFAULT), `${n} nodes at ${base}`).toBeUndefined();
      expect(ephemeralOverlap(base + 1000, n, LINUX_DEFAULT), `${n} nodes at ${base + 1000}`).toBeDefined();
    }
  });

  it("says how many nodes fit when no base below the range holds them all", () => {
    expect(ephemeralOverlap(1024, 31, LINUX_DEFAULT)).toBeUndefined();
    expect(ephemeralOverlap(1024, 32, LINUX_DEFAULT)).toContain("at most 31 nodes fit below port 32768");
  });

  it("accepts ports above the range", () => {
    expect(ephemeralOverlap(61000, 4, LINUX_DEFAULT)).toBeUndefined();
    expect(ephemeralOverlap(60000, 1, LINUX_DEFAULT)).toContain("node0 (60100-60900)");
  });
});

describe("ephemeralPortRange", () => {
  const file = (content: string) => {
    dir = mkdtempSync(join(tmpdir(), "p2pnode-ports-"));
    writeFileSync(join(dir, "range"), content);
    return join(dir, "range");
  };

  it("reads the kernel's range as Linux writes it", () => {
    expect(ephemeralPortRange(file("32768\t60999\n"))).toEqual([32768, 60999]);
  });

  it("falls back to IANA's dynamic ports for a missing or unreadable file", () => {
    expect(ephemeralPortRange(file("not a range\n"))).toEqual([49152, 65535]);
    expect(ephemeralPortRange(file("60999 32768\n"))).toEqual([49152, 65535]);
    expect(ephemeralPortRange(join(tmpdir(), "p2pnode-no-such-file"))).toEqual([49152, 65535]);
  });
});

describe("devnet up", () => {
  it("refuses nodes whose ports lie in this machine's ephemeral range before it writes or starts anything", async () => {
    const range = ephemeralPortRange();
    // The first node count whose ports at the default base reach this machine's range.
    let n = 1;
    while (n <= MAX_NODES && ephemeralOverlap(DEFAULT_PORT_BASE, n, range) === undefined) n++;
    // 40 nodes at 20000 end at 59900: only a range moved above that leaves no such count.
    if (n > MAX_NODES) expect(range[0]).toBeGreaterThan(59_900);
    else {
      dir = mkdtempSync(join(tmpdir(), "p2pnode-devnet-"));
      const net = join(dir, "net");
      const up = new Devnet({ dir: net }).up({ nodes: n, readyTimeoutMs: 1_000 });
      await expect(up).rejects.toBeInstanceOf(DevnetError);
      await expect(up).rejects.toThrow(/ephemeral port range/);
      expect(existsSync(net)).toBe(false);
    }
  });
});

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePortBase } from "../src/free-base.js";
import { NODE_PORT_STRIDE } from "../src/layout.js";
import { reservePortBlocks } from "../src/port-reservation.js";
import { isAlive } from "../src/processes.js";

const reservationModule = fileURLToPath(new URL("../src/port-reservation.ts", import.meta.url));
// Lanes far above freePortBase's 50, so test processes running beside this one never hold them.
const lane = 5_000 + (process.pid % 1_000);

describe("port blocks reserved across test processes", () => {
  it("hands a block out once in a process until it is released", () => {
    const first = reservePortBlocks(lane, 22, 3);
    expect(first).toBeDefined();
    expect(reservePortBlocks(lane, 24, 2)).toBeUndefined(); // block 24 is the first's
    const beside = reservePortBlocks(lane, 25, 2); // blocks 25-26: free
    expect(beside).toBeDefined();
    first!.release();
    const again = reservePortBlocks(lane, 24, 1);
    expect(again).toBeDefined();
    again!.release();
    beside!.release();
  });

  it("skips blocks another live process holds, and takes them once that process was killed", async () => {
    const script = `
      const { reservePortBlocks } = await import(${JSON.stringify(reservationModule)});
      console.log(reservePortBlocks(${lane + 1}, 25, 2) ? "held" : "refused");
      setInterval(() => undefined, 1_000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const said = await new Promise<string>((resolve) =>
        child.stdout.once("data", (c) => resolve(String(c))),
      );
      expect(said.trim()).toBe("held");
      expect(reservePortBlocks(lane + 1, 26, 1)).toBeUndefined();
      const next = reservePortBlocks(lane + 1, 27, 1);
      expect(next).toBeDefined();
      next!.release();
    } finally {
      // SIGKILL: no exit hook runs, its files stay, and they must count as stale.
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    }
    expect(isAlive(child.pid!)).toBe(false);
    const taken = reservePortBlocks(lane + 1, 25, 2);
    expect(taken).toBeDefined();
    taken!.release();
  }, 60_000);

  it("freePortBase reserves the blocks of the base it returns", async () => {
    const base = await freePortBase(2);
    const baseLane = (base % NODE_PORT_STRIDE) / 2;
    const block = Math.floor(base / NODE_PORT_STRIDE);
    expect(reservePortBlocks(baseLane, block + 1, 1)).toBeUndefined();
  });
});

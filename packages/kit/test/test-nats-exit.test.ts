import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isAlive } from "@p2pnode/devnet";
import { describe, expect, it } from "vitest";
import { eventually } from "../src/testing/service.js";

const natsHelper = fileURLToPath(new URL("../src/testing/nats.ts", import.meta.url));

describe("startTestNats", () => {
  it("a process that throws before stop() does not leave its nats-server running", async () => {
    // The child starts a server, prints its pid, then dies of an uncaught error, as a bench that
    // throws at top level does.
    const script = `
      const { startTestNats } = await import(${JSON.stringify(natsHelper)});
      const nats = await startTestNats();
      console.log(nats.proc.pid);
      throw new Error("test dies before stop()");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(err).toContain("test dies before stop()");
    expect(code).not.toBe(0);
    const pid = Number(out.trim());
    expect(pid, `child printed ${JSON.stringify(out)}`).toBeGreaterThan(0);
    // SIGTERM was sent at exit; nats-server ends on its own schedule (a zombie counts as ended).
    expect(
      await eventually(
        () => isAlive(pid),
        (alive) => !alive,
      ),
    ).toBe(false);
  }, 90_000);
});

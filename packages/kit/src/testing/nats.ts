import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsServerConfig } from "../bus/nats-config.js";

/** A free loopback TCP port (the OS picks one; a tiny race before reuse is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestNats {
  url: string;
  token: string;
  port: number;
  proc: ChildProcess;
  stop: () => Promise<void>;
}

export function natsServerBin(): string {
  const bin = process.env.P2PNODE_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
  if (!existsSync(bin)) throw new TypeError(`tests need nats-server at ${bin} (apt-get install nats-server)`);
  return bin;
}

/**
 * Starts a real nats-server on a free loopback port with the supervisor's configuration (token,
 * max_payload); stop() kills it by pid.
 */
export async function startTestNats(): Promise<TestNats> {
  const port = await freePort();
  const token = randomBytes(18).toString("base64url");
  const dir = mkdtempSync(join(tmpdir(), "p2pnode-nats-"));
  const conf = join(dir, "nats.conf");
  writeFileSync(conf, natsServerConfig({ port, token }), { mode: 0o600 });
  const proc = spawn(natsServerBin(), ["-c", conf], { stdio: "ignore" });
  proc.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    token,
    port,
    proc,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await gone;
    },
  };
}

import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { natsServerConfig } from "@p2pnode/kit/bus";
import { SupervisorError } from "./errors.js";
import { accepts } from "./start-order.js";

export const NATS_TOKEN_FILE = "nats.token";

/** Finds nats-server: P2PNODE_NATS_SERVER_BIN, then PATH, then Debian's /usr/sbin (not on a user's PATH). */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.P2PNODE_NATS_SERVER_BIN;
  const candidates = explicit
    ? [explicit]
    : [
        ...(env.PATH ?? "")
          .split(delimiter)
          .filter(Boolean)
          .map((d) => join(d, "nats-server")),
        "/usr/sbin/nats-server",
      ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  throw new SupervisorError(
    "NATS_SERVER_MISSING",
    explicit
      ? `nats-server not found at P2PNODE_NATS_SERVER_BIN=${explicit}`
      : "nats-server not found on PATH or at /usr/sbin/nats-server (apt-get install nats-server, or set P2PNODE_NATS_SERVER_BIN)",
  );
}

const SETPRIV = "/usr/bin/setpriv";

/**
 * nats-server does not watch its parent: on Linux it is started through util-linux's setpriv with
 * a parent-death signal, so a supervisor killed with SIGKILL takes its nats-server along (and the
 * services, which watch their parent, follow). Without setpriv the next start reaps it instead.
 */
export function dieWithParent(command: string, args: string[]): { command: string; args: string[] } {
  try {
    accessSync(SETPRIV, constants.X_OK);
    return { command: SETPRIV, args: ["--pdeathsig", "SIGKILL", "--", command, ...args] };
  } catch {
    return { command, args };
  }
}

/** The node's NATS token: generated at first start, kept in the data dir with mode 0600. */
export function loadOrCreateNatsToken(dataDir: string): string {
  const file = join(dataDir, NATS_TOKEN_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(24).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * Writes the node's nats-server config (kit's natsServerConfig: loopback only, token auth, the
 * size table's max_payload). The token stays out of the command line (visible in `ps`).
 */
export function writeNatsConfig(dataDir: string, port: number, token: string): string {
  const dir = join(dataDir, "nats");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, "nats.conf");
  writeFileSync(file, natsServerConfig({ port, token }), { mode: 0o600 });
  return file;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive())
      throw new SupervisorError(
        "NATS_SERVER_FAILED",
        "nats-server exited during start-up (see its log above)",
      );
    if (await accepts("127.0.0.1", port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new SupervisorError(
    "NATS_SERVER_FAILED",
    `nats-server did not accept connections on port ${port} in ${timeoutMs} ms`,
  );
}

import { CodedError } from "@p2pnode/types";
import { ConfigError } from "../config/index.js";
import { Shutdown } from "../lifecycle/index.js";
import { createLogger } from "../log/index.js";
import { type ServiceDefinition, startService } from "./runtime.js";

/**
 * The whole of a service's main.ts: start it, stop it on SIGTERM/SIGINT. Start-up failures that the
 * operator can fix (bad env, taken port) print one line and exit non-zero instead of a stack trace.
 */
export async function runServiceMain(def: ServiceDefinition): Promise<void> {
  try {
    const running = await startService(def);
    const shutdown = new Shutdown(running.ctx.log);
    shutdown.add(def.name, running.stop);
    shutdown.listen();
    if (process.env.P2PNODE_SUPERVISED === "1") exitWithSupervisor(shutdown);
  } catch (err) {
    process.stderr.write(`p2pnode ${def.name}: ${oneLine(err)}\n`);
    process.exit(err instanceof ConfigError || err instanceof CodedError ? 2 : 1);
  }
}

/**
 * Services run in their own process groups, so a supervisor killed with SIGKILL would leave them
 * running; they watch for being re-parented and shut down cleanly instead.
 */
function exitWithSupervisor(shutdown: Shutdown): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown.run(0);
  }, 1_000).unref();
}

function oneLine(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e.code === "EADDRINUSE") return `port ${e.port ?? ""} is already in use (${e.message})`;
  if (err instanceof ConfigError) return `config error: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export { createLogger };

import { CodedError } from "@p2pnode/types";
import { ConfigError } from "../config/index.js";
import { Shutdown } from "../lifecycle/index.js";
import { createLogger } from "../log/index.js";
import { type ServiceDefinition, startService } from "./runtime.js";
import { markStartup } from "./startup.js";
import { supervisionFrom } from "./supervision.js";

/**
 * The whole of a service's main.ts: start it, stop it on SIGTERM/SIGINT. Start-up failures that the
 * operator can fix (bad env, taken port) print one line and exit non-zero instead of a stack trace.
 */
export async function runServiceMain(def: ServiceDefinition): Promise<void> {
  // main.ts calls this once every module it imports is loaded: the end of the import phase.
  markStartup("imports");
  let shutdown: Shutdown | undefined;
  // Watched from the first moment: a service still starting when its supervisor dies exits too.
  supervisionFrom(process.env).watch(() => {
    process.stderr.write(`p2pnode ${def.name}: supervisor gone; exiting\n`);
    setTimeout(() => process.exit(0), ORPHAN_EXIT_MS).unref();
    if (shutdown) void shutdown.run(0);
    else process.exit(0);
  });
  try {
    const running = await startService(def);
    shutdown = new Shutdown(running.ctx.log);
    shutdown.add(def.name, running.stop);
    shutdown.listen();
  } catch (err) {
    process.stderr.write(`p2pnode ${def.name}: ${oneLine(err)}\n`);
    process.exit(err instanceof ConfigError || err instanceof CodedError ? 2 : 1);
  }
}

/** An orphaned service gets this long to close cleanly, then exits regardless. */
const ORPHAN_EXIT_MS = 3_000;

function oneLine(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e.code === "EADDRINUSE") return `port ${e.port ?? ""} is already in use (${e.message})`;
  if (err instanceof ConfigError) return `config error: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export { createLogger };

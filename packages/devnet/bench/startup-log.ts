/**
 * Reads a node's log (the supervisor's and its services' pino lines, each prefixed with the
 * process name) for the start-up milestones they log: the supervisor's "starting node",
 * "nats-server ready" and "services started", and each service's "service listening" with its
 * `startup` marks (kit's `markStartup`). Every time comes back as epoch ms.
 */
import { readFileSync } from "node:fs";

export interface ServiceStartup {
  /** When the process started (its `performance.timeOrigin`). */
  processStartAt: number;
  /** Milestone → epoch ms (imports, nats, network, app, identity, setup, listening). */
  at: Record<string, number>;
}

export interface NodeStartup {
  supervisorStartAt?: number;
  natsReadyAt?: number;
  servicesSpawnedAt?: number;
  services: Record<string, ServiceStartup>;
}

interface LogLine {
  msg?: string;
  svc?: string;
  processStartAt?: number;
  ms?: number;
  startup?: { processStartAt: number; ms: Record<string, number> };
}

function parseLine(line: string): LogLine | undefined {
  const brace = line.indexOf("{");
  if (brace < 0) return undefined;
  try {
    return JSON.parse(line.slice(brace)) as LogLine;
  } catch {
    return undefined;
  }
}

export function readNodeStartup(logFile: string): NodeStartup {
  const out: NodeStartup = { services: {} };
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    const l = parseLine(line);
    if (!l?.msg) continue;
    if (l.msg === "starting node" && l.processStartAt !== undefined) out.supervisorStartAt = l.processStartAt;
    const sup = out.supervisorStartAt;
    if (l.msg === "nats-server ready" && sup !== undefined && l.ms !== undefined)
      out.natsReadyAt = sup + l.ms;
    if (l.msg === "services started" && sup !== undefined && l.ms !== undefined)
      out.servicesSpawnedAt = sup + l.ms;
    if (l.msg === "service listening" && l.svc && l.startup) {
      const { processStartAt, ms } = l.startup;
      const at = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, processStartAt + v]));
      out.services[l.svc] = { processStartAt, at };
    }
  }
  return out;
}

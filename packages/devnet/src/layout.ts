import { join } from "node:path";
import {
  API_LISTENER,
  type ListenerName,
  portsFromBase,
  ROLE_SERVICES,
  type Role,
  type ServiceName,
} from "@p2pnode/types";

/** Node i of a devnet uses ports portBase + 1000·i + (container port − 7000); NATS at +900. */
export const NODE_PORT_STRIDE = 1000;
export const DEFAULT_PORT_BASE = 20000;
export const MAX_NODES = 40;

export interface DevnetNode {
  index: number;
  name: string;
  role: Role;
  portBase: number;
  dataDir: string;
  logFile: string;
  /** Supervisor pid while running. */
  pid?: number | undefined;
}

export function nodeName(index: number): string {
  return `node${index}`;
}

export function makeNode(dir: string, index: number, role: Role, portBase: number): DevnetNode {
  const name = nodeName(index);
  return {
    index,
    name,
    role,
    portBase: portBase + NODE_PORT_STRIDE * index,
    dataDir: join(dir, name),
    logFile: join(dir, name, "node.log"),
  };
}

export function nodePorts(node: DevnetNode): Record<ListenerName, number> {
  return portsFromBase(node.portBase);
}

export function serviceUrls(node: DevnetNode): Partial<Record<ServiceName, string>> {
  const ports = nodePorts(node);
  const out: Partial<Record<ServiceName, string>> = {};
  for (const s of ROLE_SERVICES[node.role]) out[s] = `http://127.0.0.1:${ports[API_LISTENER[s]]}`;
  return out;
}

/** Roles of an N-node devnet: the first M mine, the last L are light, the rest are full nodes. */
export function rolesFor(nodes: number, miners: number, light: number): Role[] {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new RangeError(`--nodes must be an integer from 1 to ${MAX_NODES}, got ${nodes}`);
  }
  if (!Number.isInteger(miners) || miners < 0)
    throw new RangeError(`--miners must be a non-negative integer`);
  if (!Number.isInteger(light) || light < 0) throw new RangeError(`--light must be a non-negative integer`);
  if (miners + light > nodes) {
    throw new RangeError(`--miners ${miners} + --light ${light} is more than --nodes ${nodes}`);
  }
  return Array.from({ length: nodes }, (_, i) =>
    i < miners ? "miner" : i >= nodes - light ? "light" : "full",
  );
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DevnetNode } from "./layout.js";

export const STATE_FILE = "devnet.json";

/** What a devnet folder remembers between `up`, `status` and `down`. */
export interface DevnetState {
  version: 1;
  chainId: string;
  /** Guards admin routes on every node of this devnet (P2PNODE_API_TOKEN). */
  apiToken: string;
  portBase: number;
  genesisFile: string;
  nodes: DevnetNode[];
}

export function loadState(dir: string): DevnetState | undefined {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as DevnetState;
  if (state.version !== 1 || !Array.isArray(state.nodes)) {
    throw new TypeError(`${file} is not a devnet state file this version understands`);
  }
  return state;
}

export function saveState(dir: string, state: DevnetState): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, STATE_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * vitest's global setup: one temporary folder per test run, removed when the run ends. Tests and
 * the nodes they start make their files under os.tmpdir() (SQLite stores, wallets, devnet dirs),
 * and a `pnpm test` used to leave ~400 folders in /tmp. The forked test workers and every process
 * they spawn inherit TMPDIR.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "p2pnode-tests-"));
  process.env.TMPDIR = dir;
  return () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A process that outlived its test still writes there: the folder stays, named for the run.
    }
  };
}

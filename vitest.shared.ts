import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Shared vitest settings. The "source" export condition makes workspace packages resolve to
 * their TypeScript sources, so unit tests run without a build; e2e tests that spawn real
 * processes still need `pnpm build` (`pnpm test`, scripts/test.sh, runs it first).
 */
const HANG_GUARD_MS = 180_000;

export function vitestConfig(
  overrides: { testTimeout?: number; include?: string[]; fileParallelism?: boolean; isolate?: boolean } = {},
) {
  return defineConfig({
    resolve: { conditions: ["source"] },
    ssr: { resolve: { conditions: ["source"] } },
    test: {
      include: overrides.include ?? ["test/**/*.test.ts"],
      // Hang guards, not speed checks: a loaded 2-core CI machine runs CPU-bound set-ups (a
      // 1,000-node DHT simulation, a STARK proof) many times slower than a quiet one.
      testTimeout: overrides.testTimeout ?? HANG_GUARD_MS,
      hookTimeout: overrides.testTimeout ?? HANG_GUARD_MS,
      pool: "forks",
      // One worker process runs a package's files one after another and keeps the modules they
      // share loaded: each file in a fresh process imported its package's source graph again
      // (chain: ~28 of its ~130 s). No test file changes process-wide state it does not restore
      // (env, cwd, mocks); a file that must have its own process sets `isolate: true`.
      isolate: overrides.isolate ?? false,
      globalSetup: [fileURLToPath(new URL("./vitest.tmpdir.ts", import.meta.url))],
      fileParallelism: overrides.fileParallelism ?? true,
    },
  });
}

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Shared vitest settings. The "source" export condition makes workspace packages resolve to
 * their TypeScript sources, so unit tests run without a build; e2e tests that spawn real
 * processes still need `pnpm build` (`pnpm test`, scripts/test.sh, runs it first).
 */
const HANG_GUARD_MS = 180_000;

export function vitestConfig(
  overrides: { testTimeout?: number; include?: string[]; fileParallelism?: boolean } = {},
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
      globalSetup: [fileURLToPath(new URL("./vitest.tmpdir.ts", import.meta.url))],
      fileParallelism: overrides.fileParallelism ?? true,
    },
  });
}

import { defineConfig } from "vitest/config";

/**
 * Shared vitest settings. The "source" export condition makes workspace packages resolve to
 * their TypeScript sources, so unit tests run without a build; e2e tests that spawn real
 * processes still need `pnpm build` (turbo runs it before `test`).
 */
export function vitestConfig(
  overrides: { testTimeout?: number; include?: string[]; fileParallelism?: boolean } = {},
) {
  return defineConfig({
    resolve: { conditions: ["source"] },
    ssr: { resolve: { conditions: ["source"] } },
    test: {
      include: overrides.include ?? ["test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: overrides.testTimeout ?? 20_000,
      pool: "forks",
      fileParallelism: overrides.fileParallelism ?? true,
    },
  });
}

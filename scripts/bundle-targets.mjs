// What `pnpm build` bundles (scripts/bundle.mjs), defined once: the bundler makes these files and
// the dependency check (scripts/check-deps.mjs) skips them, since it checks their inputs one by one.
import { join } from "node:path";
// Built by tsc before either script runs: the service list and the entry's name are defined there.
import { ALL_SERVICES, SERVICE_ENTRY } from "../packages/types/dist/index.js";

/** The file beside a bundle's `outfile` that holds its code (scripts/bundle.mjs: the outfile starts it). */
export function codeFileOf(outfile) {
  return outfile.replace(/\.js$/, ".code.cjs");
}

/**
 * Each bundle: `entry`, a file tsc built, and `outfile`, that file with every module it imports
 * inlined (the code in `codeFileOf(outfile)`, which the outfile starts). The CLI's bundle is
 * dist/main.js, the `p2pnode` bin itself, so the image's entrypoint,
 * devnet's nodes and every test that runs the CLI start the bundle under the same name as before.
 */
export function bundleTargets(root) {
  return [
    ...ALL_SERVICES.map((name) => ({
      entry: join(root, "services", name, "dist/main.js"),
      outfile: join(root, "services", name, SERVICE_ENTRY),
    })),
    {
      entry: join(root, "packages/cli/dist/entry.js"),
      outfile: join(root, "packages/cli/dist/main.js"),
      executable: true,
    },
  ];
}

import { vitestConfig } from "../../vitest.shared.js";

// Each e2e file runs a whole devnet (up to ~40 processes); two at once on a 2-core machine starve
// each other into timeouts, so the files run one after another.
export default vitestConfig({ fileParallelism: false });

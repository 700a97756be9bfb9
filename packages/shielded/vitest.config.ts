import { vitestConfig } from "../../vitest.shared.js";

// Proving is CPU-bound: on a loaded 2-core machine a test may take many times its usual time.
export default vitestConfig({ testTimeout: 120_000 });

import { vitestConfig } from "../../vitest.shared.js";

// One file at a time: each browser test runs its own devnet and Chromium.
export default vitestConfig({ fileParallelism: false });

import { vitestConfig } from "../../vitest.shared.js";

// The chaos scenario runs a whole devnet: files run one after another.
export default vitestConfig({ fileParallelism: false });

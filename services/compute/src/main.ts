import { parseEnvOrExit, runServiceMain } from "@p2pnode/kit";
import { createComputeService } from "./api.js";
import { ComputeEnv, computeOptionsFromEnv } from "./config.js";

parseEnvOrExit(ComputeEnv);
await runServiceMain(createComputeService(computeOptionsFromEnv(process.env)));

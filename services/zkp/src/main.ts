import { parseEnvOrExit, runServiceMain } from "@p2pnode/kit";
import { createZkpService } from "./api.js";
import { ZkpEnv, zkpOptionsFromEnv } from "./config.js";

parseEnvOrExit(ZkpEnv);
await runServiceMain(createZkpService(zkpOptionsFromEnv(process.env)));

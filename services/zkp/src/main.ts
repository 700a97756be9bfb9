import { runServiceMain } from "@p2pnode/kit";
import { zkpService } from "./api.js";

await runServiceMain(zkpService);

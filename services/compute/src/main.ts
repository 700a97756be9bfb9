import { runServiceMain } from "@p2pnode/kit";
import { computeService } from "./api.js";

await runServiceMain(computeService);

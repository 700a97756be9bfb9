import { runServiceMain } from "@p2pnode/kit";
import { chainService } from "./api.js";

await runServiceMain(chainService);

import { runServiceMain } from "@p2pnode/kit";
import { dhtService } from "./api.js";

await runServiceMain(dhtService);

import { runServiceMain } from "@p2pnode/kit";
import { gatewayService } from "./api.js";

await runServiceMain(gatewayService);

import { runServiceMain } from "@p2pnode/kit";
import { minerService } from "./api.js";

await runServiceMain(minerService);

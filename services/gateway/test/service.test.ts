import { serviceRuntimeSuite } from "@p2pnode/kit/testing";
import { gatewayService } from "../src/api.js";

serviceRuntimeSuite(gatewayService);

import { serviceRuntimeSuite } from "@p2pnode/kit/testing";
import { computeService } from "../src/api.js";

serviceRuntimeSuite(computeService);

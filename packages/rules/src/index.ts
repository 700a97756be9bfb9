/**
 * @p2pnode/rules — the consensus rules that need no chain state, defined once for every service
 * that checks a block or transaction (chain, gateway), and the network's genesis: its one reader,
 * its genesis block and the network identity derived from it. See README.md.
 */
export {
  bodySignatures,
  checkBlock,
  checkBody,
  checkNotInFuture,
  checkPow,
  decodeBlockBytes,
  decodeBlockJson,
  type PreparedBlock,
  prepareBlock,
} from "./block.js";
export { decodeFailed, decoding, isPolicyRefusal, POLICY_REFUSALS, RuleError, reject } from "./errors.js";
export {
  GenesisError,
  genesisBlock,
  genesisDigest,
  networkOf,
  parseGenesis,
  readGenesisFile,
} from "./genesis.js";
export * from "./shielded.js";
export {
  type CheckedTx,
  checkAuthority,
  checkSignature,
  checkTx,
  decodeTxBytes,
  type KnownTx,
  prepareTx,
  type TxRuleOptions,
  txFromJson,
} from "./tx.js";
export { transferFromBody } from "./tx-body.js";
export { checkBlockBytes, checkTxBytes, statelessVerdict, type Verdict } from "./verdict.js";

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statePaths } from "../../../src/runtime/state-dir.js";
import { DirectoryStore } from "../../../src/runtime/store/directory-store.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("directory", () => {
  const root = mkdtempSync(join(tmpdir(), "upgradec-store-"));
  return { open: (plan) => Promise.resolve(new DirectoryStore(statePaths(root, plan), plan, () => Date.now())) };
});

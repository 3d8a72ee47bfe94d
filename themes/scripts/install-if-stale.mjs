// Runs `npm ci` in the npm project given as argument (account-ui, admin-ui) when its node_modules/ is missing or older
// than its package-lock.json. Maven calls this before each build.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const project = process.argv[2];
if (!project) {
  console.error("usage: node scripts/install-if-stale.mjs <account-ui|admin-ui>");
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..", project);
const mtime = (path) => {
  try {
    return statSync(join(root, path)).mtimeMs;
  } catch {
    return undefined;
  }
};

const installed = mtime("node_modules/.package-lock.json");
if (installed !== undefined && installed >= mtime("package-lock.json")) {
  process.exit(0);
}
console.log(`${project}: npm ci (node_modules missing or older than package-lock.json)`);
const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
  cwd: root,
  stdio: "inherit",
  shell: process.platform === "win32",
});
process.exit(result.status ?? 1);

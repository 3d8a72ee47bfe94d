import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/*
 * Builds the llm-gateway account theme's resources/ folder. Keycloak's index.ftl (from the parent theme keycloak.v3)
 * reads .vite/manifest.json there: the first chunk with isEntry is loaded, its css linked, its imports preloaded.
 * The output folder comes from `--outDir` or LLM_ACCOUNT_UI_OUT_DIR (Maven passes the first), else dist/.
 */
const outDir = process.env.LLM_ACCOUNT_UI_OUT_DIR || "dist";

type ManifestChunk = { file: string; isEntry?: boolean; imports?: string[] };

/**
 * Vite lists an entry's static imports by manifest key ("_index-abc.js"), and index.ftl turns each key into a
 * modulepreload link that 404s: rewrite them to the emitted file names.
 */
function manifestImportsAsFiles(): Plugin {
  return {
    name: "llm-manifest-imports-as-files",
    apply: "build",
    writeBundle(options) {
      const path = join(options.dir ?? outDir, ".vite", "manifest.json");
      const manifest: Record<string, ManifestChunk> = JSON.parse(readFileSync(path, "utf8"));
      for (const chunk of Object.values(manifest)) {
        if (chunk.isEntry && chunk.imports) {
          chunk.imports = chunk.imports.map((key) => manifest[key]?.file ?? key);
        }
      }
      writeFileSync(path, JSON.stringify(manifest, null, 2));
    },
  };
}

export default defineConfig({
  base: "",
  plugins: [react(), manifestImportsAsFiles()],
  resolve: {
    alias: {
      // The library's stylesheet (the PatternFly it bundles) is not in its package exports.
      "@keycloak/keycloak-account-ui/styles.css": fileURLToPath(
        new URL("node_modules/@keycloak/keycloak-account-ui/lib/keycloak-account-ui.css", import.meta.url),
      ),
    },
  },
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    chunkSizeWarningLimit: 600, // the account console library alone is 531 kB (160 kB gzip), as in the stock console
    rollupOptions: {
      input: "src/main.tsx",
      // Served by the parent theme's importmap, so the library and our pages share Keycloak's copy of React.
      external: ["react", "react/jsx-runtime", "react-dom"],
      output: {
        // Libraries apart from our code, so a change of our pages leaves the large library chunk cached.
        manualChunks(id) {
          if (id.endsWith(".css")) {
            return undefined; // index.ftl links only the entry's stylesheets: keep every css with the entry
          }
          if (id.includes("/node_modules/@keycloak/")) {
            return "keycloak-account-ui";
          }
          if (
            /\/node_modules\/(react-router|react-router-dom|i18next|react-i18next|i18next-fetch-backend)\//.test(id)
          ) {
            return "vendor";
          }
          return undefined;
        },
      },
    },
  },
});

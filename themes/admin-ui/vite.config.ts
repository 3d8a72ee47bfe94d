import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/*
 * Builds the llm-gateway admin theme's resources/ folder. Keycloak's index.ftl (from the parent theme keycloak.v2)
 * reads .vite/manifest.json there: the entry chunk is loaded, its css linked, its imports preloaded. The output folder
 * comes from `--outDir` or LLM_ADMIN_UI_OUT_DIR (Maven passes the first), else dist/.
 */
const outDir = process.env.LLM_ADMIN_UI_OUT_DIR || "dist";

type ManifestChunk = { file: string; isEntry?: boolean; imports?: string[] };

/** index.ftl turns each manifest import key into a modulepreload link: rewrite the keys to the emitted file names. */
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
  // `npm run dev` with Keycloak started by `KC_ADMIN_VITE_URL=http://localhost:5174 ./run`: the console loads the
  // page from this server and reloads it on every change.
  server: { origin: "http://localhost:5174", port: 5174, strictPort: true, fs: { allow: [".."] } },
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    // The stock admin console library is one 4 MB module (as in the stock console); our page is split from it.
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      input: "src/main.tsx",
      // Served by the parent theme's importmap, so the library and our page share Keycloak's copy of React.
      external: ["react", "react/jsx-runtime", "react-dom"],
      output: {
        manualChunks(id) {
          if (id.endsWith(".css")) {
            return undefined; // index.ftl links only the entry's stylesheets: keep every css with the entry
          }
          if (id.includes("/node_modules/@keycloak/")) {
            return "keycloak-admin-ui";
          }
          if (
            /\/node_modules\/(react-router|react-router-dom|@remix-run|i18next|react-i18next|i18next-fetch-backend)\//.test(
              id,
            )
          ) {
            return "vendor";
          }
          return undefined;
        },
      },
    },
  },
});

/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Node's `process`, without pulling @types/node into the app's type-check.
declare const process: { env: Record<string, string | undefined> };

// Built files only: the app embeds ui/dist, no dev server is involved. `axe.html` is the
// same app with the Tauri IPC mocked, for the accessibility run in Chromium.
export default defineConfig(({ mode }) => {
  const input: Record<string, string> = mode === "axe" ? { axe: "axe.html" } : { index: "index.html" };
  return {
    plugins: [svelte()],
    clearScreen: false,
    base: "./",
    build: {
      outDir: mode === "axe" ? "dist-axe" : "dist",
      emptyOutDir: true,
      target: "es2022",
      sourcemap: false,
      // Inline nothing: the CSP allows only files from the app itself.
      assetsInlineLimit: 0,
      rollupOptions: { input },
    },
    test: {
      environment: "jsdom",
      include: ["src/**/*.test.ts"],
    },
    resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  };
});

/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the API runs beside us (scripts/dev, port 8000); in production Confer serves web/dist itself.
const api = process.env.CONFER_API_URL ?? "http://127.0.0.1:8000";
// Source maps publish the whole client source next to the app: only when asked (CONFER_WEB_SOURCEMAP=true).
const sourcemap = process.env.CONFER_WEB_SOURCEMAP === "true";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api/v1/ws": { target: api, ws: true, changeOrigin: true },
      "/api": { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: "dist",
    sourcemap,
    rolldownOptions: {
      output: {
        // Libraries change less often than our code: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: "mantine", test: /node_modules[\\/]@mantine[\\/](?!charts)/, priority: 2 },
            // The earnings chart's libraries load with the earnings page only, never with the first page.
            {
              name: "charts",
              test: /node_modules[\\/](@mantine[\\/]charts|recharts|d3-|victory-vendor|@reduxjs|immer|react-redux|reselect|es-toolkit|decimal\.js-light|eventemitter3|tiny-invariant|internmap|@standard-schema)/,
              priority: 1,
            },
            { name: "vendor", test: /node_modules/ },
          ],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});

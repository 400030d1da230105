import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The console ships inside @coffer/server: the build lands in packages/server/console, which the
// server serves at /console with a strict Content-Security-Policy (no CDN, nothing inline).
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "../server/console",
    emptyOutDir: true,
    sourcemap: false,
    // Inline assets would need `data:` sources in the CSP; files keep it to 'self'.
    assetsInlineLimit: 0,
  },
});

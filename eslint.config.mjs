import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "scripts/floor-app/.next/**", "lib/db/generated/**", "next-env.d.ts", "tools/**/node_modules/**", "sdk/**/node_modules/**", "sdk/**/dist/**", "sdk/python/**"]),
]);

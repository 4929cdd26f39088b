import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/WASM database drivers are loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg"],
  poweredByHeader: false,
};

export default nextConfig;

import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Database drivers and the job queue are loaded by Node at run time, not bundled.
  serverExternalPackages: ["@prisma/adapter-pg", "pg", "graphile-worker"],
  poweredByHeader: false,
};

export default nextConfig;

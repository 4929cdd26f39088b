import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Database drivers and the job queue are loaded by Node at run time, not bundled; so is
  // prom-client, whose metrics every route bundle and the server share (lib/metrics).
  serverExternalPackages: ["@prisma/adapter-pg", "pg", "graphile-worker", "prom-client"],
  poweredByHeader: false,
  // Types are checked once, by `npm run typecheck` (in `npm test` and CI), not again by every
  // build: a first `npm start` on a fresh clone is that much sooner healthy (issue 18).
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;

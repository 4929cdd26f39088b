import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Database drivers and the job queue are loaded by Node at run time, not bundled. So are
  // prom-client, whose metrics every route bundle and the server share (lib/metrics), and the
  // OpenTelemetry SDK, which only a process with OTEL_EXPORTER_OTLP_* set loads.
  serverExternalPackages: ["@prisma/adapter-pg", "pg", "graphile-worker", "prom-client", "@opentelemetry/sdk-trace-node", "@opentelemetry/resources",
    "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/exporter-trace-otlp-proto"],
  poweredByHeader: false,
  // Types are checked once, by `npm run typecheck` (in `npm test` and CI), not again by every
  // build: a first `npm start` on a fresh clone is that much sooner healthy (issue 18).
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;

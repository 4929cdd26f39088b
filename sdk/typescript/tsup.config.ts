import { defineConfig } from "tsup";

// tsup (esbuild + the TypeScript compiler for .d.ts) gives ESM, CJS and both kinds of
// declarations from one config; plain tsc would need two builds and hand-written .cjs glue.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    "adapters/langchain": "src/adapters/langchain.ts",
    "adapters/ai": "src/adapters/ai.ts",
    "adapters/llamaindex": "src/adapters/llamaindex.ts",
    "gateway/index": "src/gateway/index.ts",
    "gateway/cli": "src/gateway/cli.ts",
    // Browser entry: proof bundle verification over WebCrypto, nothing from node:*.
    webcrypto: "src/ledger/webcrypto.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node20",
  sourcemap: true,
  splitting: false,
  // tsup leaves dependencies and peers external but would bundle optional dependencies.
  external: ["yaml", /^@modelcontextprotocol\/sdk/, "@opentelemetry/api"],
});

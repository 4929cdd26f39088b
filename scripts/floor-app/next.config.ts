import path from "node:path";
import type { NextConfig } from "next";

// The repository's node_modules serve this app too: the same Next.js and pg as the product.
const config: NextConfig = { turbopack: { root: path.resolve(import.meta.dirname, "../..") } };
export default config;

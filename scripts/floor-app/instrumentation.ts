// The floor app has no start-up work. (Without this file, Turbopack, rooted at the repository for
// its node_modules, compiles the product's instrumentation.ts into this app.)
export function register() {}

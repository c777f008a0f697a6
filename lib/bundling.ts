/**
 * How every Lambda handler is bundled: by NodejsFunction in the stack and by the benchmarks, so the
 * sizes and import times measured are those of what is deployed. Plain data, no CDK imports.
 */
export const bundling = {
  /** Lambda runs nodejs24.x (lib/marketplace-function.ts); the bundle also runs on Node 20 (this machine). */
  target: 'node20',
  format: 'esm' as const,
  platform: 'node' as const,
  minify: true,
  sourceMap: true,
  /** ESM bundles of CommonJS dependencies need a require() in scope. */
  banner: "import { createRequire as __createRequire } from 'module'; const require = __createRequire(import.meta.url);",
  mainFields: ['module', 'main'],
  /** The SDK is bundled (pinned version, tree-shaken) rather than taken from the runtime. */
  externalModules: [] as string[],
};

/** The handler entry file of a route's handler name. */
export const handlerEntry = (handler: string) => `functions/handlers/${handler}.ts`;

/**
 * Writes the route table (functions/routes.ts) as JSON for the Locust scenario, which is Python and
 * cannot import TypeScript. `npm run loadtest` runs this before every run; by hand:
 *
 *   npx tsx test/load/export-routes.ts test/load/reports/routes.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fallbackRoute, routes } from '../../functions/routes.js';

export function routeTableJson(): string {
  return `${JSON.stringify({ source: 'functions/routes.ts', routes, fallbackRoute }, null, 2)}\n`;
}

export function exportRoutes(file: string): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, routeTableJson());
  return path;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (target) console.log(`route table written to ${exportRoutes(target)}`);
  else process.stdout.write(routeTableJson());
}

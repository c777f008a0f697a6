/** `npm run openapi [-- file]`: writes the OpenAPI 3.1 document (from the route table and zod schemas). */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../functions/schemas/openapi-document.js';
import { commandLine } from './cli-args.js';

const { positionals } = commandLine('Usage: npm run openapi [-- FILE]\n  Writes the OpenAPI 3.1 document to FILE, or to stdout (servers: API_URL when set).', {}, { positionals: true });
const document = `${JSON.stringify(openApiDocument(process.env.API_URL), null, 2)}\n`;
const target = positionals[0];
if (target) {
  writeFileSync(target, document);
  console.log(`OpenAPI document written to ${target}`);
} else {
  process.stdout.write(document);
}

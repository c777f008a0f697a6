/** `npm run openapi [-- file]`: writes the OpenAPI 3.1 document (from the route table and zod schemas). */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../functions/schemas/openapi-document.js';

const document = `${JSON.stringify(openApiDocument(process.env.API_URL), null, 2)}\n`;
const target = process.argv[2];
if (target) {
  writeFileSync(target, document);
  console.log(`OpenAPI document written to ${target}`);
} else {
  process.stdout.write(document);
}

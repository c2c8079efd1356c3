// `npm run gen`: every generated TypeScript file. The policy source types from the JSON Schemas
// (the single source of truth; test/policy-compiler/schema.test.ts fails when they are stale), and
// the JSON-form types of every message sluice emits from the protos (scripts/gen-message-types.mjs;
// envoy-api/generated/messages.test.ts fails when they are stale).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { OUTPUT as MESSAGE_TYPES, generateMessageTypes } from './gen-message-types.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMAS = [
  ['policy-compiler/schema/l7policy.schema.json', 'policy-compiler/generated/l7policy.ts'],
  ['policy-compiler/schema/inventory.schema.json', 'policy-compiler/generated/inventory.ts'],
];

export async function generate(schemaPath) {
  const schema = JSON.parse(fs.readFileSync(path.join(root, schemaPath), 'utf8'));
  const banner = `/* Generated from ${schemaPath} by scripts/gen-types.mjs (npm run gen). Do not edit. */`;
  return compile(schema, schema.title, { bannerComment: banner, additionalProperties: false, unreachableDefinitions: true, style: { singleQuote: true, printWidth: 120 } });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [schemaPath, outPath] of SCHEMAS) {
    fs.mkdirSync(path.dirname(path.join(root, outPath)), { recursive: true });
    fs.writeFileSync(path.join(root, outPath), await generate(schemaPath));
    console.log(`wrote ${outPath}`);
  }
  fs.mkdirSync(path.dirname(path.join(root, MESSAGE_TYPES)), { recursive: true });
  fs.writeFileSync(path.join(root, MESSAGE_TYPES), generateMessageTypes());
  console.log(`wrote ${MESSAGE_TYPES}`);
}

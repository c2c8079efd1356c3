/**
 * The generated message types are current (what `npm run gen` writes), and they are the proof
 * that a builder cannot misspell what it emits: a builder with a misspelt field, enum value or
 * `Any` payload does not compile, and the same builder spelt right does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

interface Generator {
  readonly OUTPUT: string;
  generateMessageTypes(): string;
}

/** A module beside the compiler's translators, type-checked with the project's own options. */
function typeErrors(source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.resolve('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.json cannot be read');
  const file = path.resolve('policy-compiler/translate/__builder_under_test__.ts');
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) => (path.resolve(name) === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && path.resolve(d.file.fileName) === file)
    .map((d) => `line ${(d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? 0) + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

const builder = (spelling: { field: string; enumValue: string; anyField: string; kafkaField: string }) => `
import { MESSAGES, typed, type envoy } from '../../envoy-api/index.js';
import type { EnvoyResource } from './resource.js';
export const cluster: envoy.config.cluster.v3.Cluster = { name: 'c', ${spelling.field}: { seconds: 5 } };
export const listener: envoy.config.listener.v3.Listener = { name: 'l', traffic_direction: '${spelling.enumValue}' };
export const router = typed(MESSAGES.httpProtocolOptions, { ${spelling.anyField}: { http2_protocol_options: {} } });
export const kafka: EnvoyResource = { message: MESSAGES.kafkaPolicy, name: 'k', references: [], json: { name: 'k', endpoints: [{ ${spelling.kafkaField}: '10.0.0.1', port: 9092 }] } };
`;

describe('generated message types', () => {
  it('are what `npm run gen` produces from the protos (regenerate and commit when this fails)', async () => {
    const { OUTPUT, generateMessageTypes } = (await import(path.resolve('scripts/gen-message-types.mjs'))) as Generator;
    expect({ file: OUTPUT, text: fs.readFileSync(OUTPUT, 'utf8') }).toEqual({ file: OUTPUT, text: generateMessageTypes() });
  });

  it('make a misspelt field, enum value, Any payload or KafkaPolicy field a compile error', () => {
    expect(typeErrors(builder({ field: 'connect_timeout', enumValue: 'INBOUND', anyField: 'explicit_http_config', kafkaField: 'address' }))).toEqual([]);
    const errors = typeErrors(builder({ field: 'conect_timeout', enumValue: 'INBOUD', anyField: 'explict_http_config', kafkaField: 'adress' }));
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^line 4: .*'conect_timeout' does not exist in type 'Cluster'/);
    expect(errors[1]).toMatch(/^line 5: Type '"INBOUD"' is not assignable to type 'TrafficDirection/);
    expect(errors[2]).toMatch(/^line 6: .*'explict_http_config' does not exist/);
    expect(errors[3]).toMatch(/^line 7: .*'adress' does not exist in type 'Endpoint'/);
  }, 60_000);
});

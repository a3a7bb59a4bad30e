/**
 * Fuzzing the resolver: for mutated real files, building each request either succeeds or fails
 * with a VariableError / ResolveError (which the Runner turns into a failed Exchange) — never
 * with anything else, which would be a crash in the editor or the CLI.
 */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { resolveRequest, ResolveError } from '../../../core/language/resolver.ts';
import { VariableError } from '../../../core/language/variables.ts';

const RUNS = Math.ceil(Number(process.env.RICOCHET_FUZZ_RUNS ?? 2000) / 4);
const fixtures = join(import.meta.dirname, '../../fixtures/http');
const restClient = join(fixtures, 'rest-client/requests.http');
const seeds = [readFileSync(restClient, 'utf8'), readFileSync(join(fixtures, 'jetbrains/requests.http'), 'utf8')];
const TOKENS = [
  '###', '\n', '{{', '}}', '{{$randomInt 1 2}}', '{{a.response.body.$.x}}', '{{$datetime "x" 1 q}}', '{{%', '<', '<@', '< ./data.json',
  '@v = {{v}}', 'X-Request-Type: GraphQL', 'Content-Type: multipart/form-data; boundary=b', '--b', 'curl ', '"', "'",
  '{{$random.integer(5,1)}}', '{{$processEnv %x}}', 'Content-Type: application/x-www-form-urlencoded', '# @timeout x',
];
const piece = fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 }));
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.record({ at: fc.nat(), length: fc.nat({ max: 10 }), text: piece }), { minLength: 1, maxLength: 8 }))
  .map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      s = s.slice(0, at) + e.text + s.slice(at + e.length);
    }
    return s;
  });

test('resolving mutated files fails only with VariableError or ResolveError', async () => {
  await fc.assert(
    fc.asyncProperty(mutated, async (text) => {
      const file = parseHttpFile(text);
      for (const request of file.requests) {
        try {
          await resolveRequest(file, request, {
            filePath: restClient,
            environment: { host: 'http://127.0.0.1:9', v: 'x' },
            processEnv: {},
            prompt: async () => 'answer',
            getExchange: async (name) => {
              throw new VariableError(name, `no exchange for ${name}`);
            },
          });
        } catch (error) {
          if (!(error instanceof VariableError || error instanceof ResolveError)) throw error;
        }
      }
    }),
    { numRuns: RUNS },
  );
});

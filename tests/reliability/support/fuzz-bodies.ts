/**
 * Request bodies a careless or hostile client sends: none, empty, demo actions as JSON and as
 * forms, other routes' fields, malformed JSON, random bytes, and 16–200 KiB bodies past every
 * limit. Generated as small specs and rendered request by request, so a long run never holds
 * more than the one large body it is sending.
 */
import fc from 'fast-check';

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'oversize'; bytes: number; shape: 'json' | 'form' };

const demoAction = fc.oneof(
  fc.record({
    action: fc.constant('set'),
    key: fc.constantFrom('k', 'user_id', '../x', ''),
    value: fc.string(),
  }),
  fc.record({ action: fc.constant('grow'), bytes: fc.integer({ min: -10, max: 70_000 }) }),
  fc.constantFrom(
    { action: 'increment' },
    { action: 'clear' },
    { action: 'destroy' },
    { action: 'revoke-all' },
    { action: 'second-session' },
    { action: 'restart-instance' },
    { action: 'tamper', cookie: 'session', value: 'forged' },
    { action: 'explode' },
  ),
);

export const fuzzBody = fc.oneof<fc.Arbitrary<BodySpec>[]>(
  fc.constant({ kind: 'none' }),
  fc.constant({ kind: 'text', text: '' }),
  demoAction.map((action) => ({ kind: 'text', text: JSON.stringify(action) })),
  demoAction.map((action) => ({
    kind: 'text',
    text: new URLSearchParams(
      Object.entries(action).map(([key, value]) => [key, String(value)]),
    ).toString(),
  })),
  fc
    .constantFrom(
      'action=delete',
      'confirm=NO',
      'token=wrong',
      'action=create&name=',
      'action=join',
      'serverless-memory=fresh-instances',
      '{"action":',
      '[1,2]',
      'null',
      '\u0000\u0001\u0002',
    )
    .map((text) => ({ kind: 'text', text })),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ kind: 'bytes', bytes })),
  fc.record({
    kind: fc.constant('oversize'),
    bytes: fc.integer({ min: 16 * 1024, max: 200 * 1024 }),
    shape: fc.constantFrom('json', 'form'),
  }) as fc.Arbitrary<BodySpec>,
);

export function renderBody(spec: BodySpec): { body?: Buffer; summary: string } {
  switch (spec.kind) {
    case 'none':
      return { summary: 'no body' };
    case 'text':
      return { body: Buffer.from(spec.text), summary: JSON.stringify(spec.text.slice(0, 80)) };
    case 'bytes':
      return { body: Buffer.from(spec.bytes), summary: `${spec.bytes.length} random bytes` };
    case 'oversize': {
      const filler = 'a'.repeat(spec.bytes);
      const text =
        spec.shape === 'json'
          ? `{"action":"set","key":"k","value":"${filler}"}`
          : `value=${filler}`;
      return { body: Buffer.from(text), summary: `${text.length}-byte ${spec.shape} body` };
    }
  }
}

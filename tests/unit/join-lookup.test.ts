import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClass, joinCodeAlphabet } from '../../src/server/instructor/classes';
import type { SiteDb } from '../../src/server/platform/site-db/open';
import { memorySiteDb, type TestSiteDb } from '../support/site-db';
import { lookUpJoinCode } from '../../src/server/learner/join-lookup';
import { FailureLimiter } from '../../src/server/platform/rate-limit';

let site: TestSiteDb;
let db: SiteDb;
let app: { db: SiteDb; joinLookupLimiter: FailureLimiter };
let code: string;
let wrongCodes: string[];
const at = 1_000_000;

beforeEach(async () => {
  site = memorySiteDb();
  ({ db } = site);
  app = { db, joinLookupLimiter: new FailureLimiter({ max: 3, windowSeconds: 60 }) };
  code = (await createClass(db, 'Tuesday')).code;
  wrongCodes = [...joinCodeAlphabet]
    .map((symbol) => symbol.repeat(6))
    .filter((candidate) => candidate !== code);
});
afterEach(() => site.close());

describe('looking up join codes', () => {
  it('finds a class by its code, in any case, and lets right codes through without limit', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await lookUpJoinCode(app, '198.51.100.1', code.toLowerCase(), at)).toMatchObject({
        kind: 'found',
        classroom: { code, name: 'Tuesday' },
      });
    }
  });

  it('allows the limit of unknown codes, then refuses every lookup, right ones too', async () => {
    for (const wrong of wrongCodes.slice(0, 3)) {
      expect(await lookUpJoinCode(app, '198.51.100.1', wrong, at)).toEqual({ kind: 'missing' });
    }
    expect(await lookUpJoinCode(app, '198.51.100.1', wrongCodes[3], at)).toEqual({
      kind: 'limited',
      retryAfterSeconds: 20,
    });
    expect(await lookUpJoinCode(app, '198.51.100.1', code, at + 1_000)).toMatchObject({
      kind: 'limited',
    });
    // Malformed input counts as a miss, and another client is not affected.
    expect(await lookUpJoinCode(app, '198.51.100.2', 'not a code', at)).toEqual({
      kind: 'missing',
    });
    expect(await lookUpJoinCode(app, '198.51.100.2', code, at)).toMatchObject({ kind: 'found' });
    // Once the pause is over the right code works again.
    expect(await lookUpJoinCode(app, '198.51.100.1', code, at + 20_000)).toMatchObject({
      kind: 'found',
    });
  });

  it('counts every address of one IPv6 /64 together', async () => {
    for (const [index, wrong] of wrongCodes.slice(0, 4).entries()) {
      expect((await lookUpJoinCode(app, `2001:db8:7:7::${index + 1}`, wrong, at)).kind).toBe(
        index < 3 ? 'missing' : 'limited',
      );
    }
    expect((await lookUpJoinCode(app, '2001:db8:7:7:ffff::9', code, at)).kind).toBe('limited');
    expect((await lookUpJoinCode(app, '2001:db8:7:8::1', code, at)).kind).toBe('found');
  });
});

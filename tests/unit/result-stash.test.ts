import { describe, expect, it } from 'vitest';
import { ResultStash, type StashedResult } from '../../src/lab/result-stash';
import { RESULT_COOKIE, stashResultForBrowser } from '../../src/server/demo/result-link';

const at = 1_000_000;
const failed = (error: string): StashedResult => ({ ok: false, status: 503, error });

describe('the result stash', () => {
  it('gives a result only with its nonce, and only once', () => {
    const stash = new ResultStash();
    const { id, nonce } = stash.stash(failed('secret data'), at);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(nonce).not.toBe(id);
    // Another browser: no cookie, someone else's nonce, a forged one.
    const other = stash.stash(failed('other'), at);
    expect(stash.take(id, undefined, at)).toBeNull();
    expect(stash.take(id, other.nonce, at)).toBeNull();
    expect(stash.take(id, 'x', at)).toBeNull();
    // Those did not use it up for its owner, who sees it once.
    expect(stash.take(id, nonce, at)).toEqual(failed('secret data'));
    expect(stash.take(id, nonce, at)).toBeNull();
  });

  it('forgets a result after five minutes', () => {
    const stash = new ResultStash();
    const { id, nonce } = stash.stash(failed('late'), at);
    expect(stash.take(id, nonce, at + 5 * 60_000)).toBeNull();
    expect(stash.size.results).toBe(0);
  });

  it('keeps at most its cap of results and bytes, dropping the oldest', () => {
    const byCount = new ResultStash({ maxResults: 3 });
    const tickets = ['a', 'b', 'c', 'd'].map((error) => byCount.stash(failed(error), at));
    expect(byCount.size.results).toBe(3);
    expect(byCount.take(tickets[0]!.id, tickets[0]!.nonce, at)).toBeNull();
    expect(byCount.take(tickets[3]!.id, tickets[3]!.nonce, at)).toEqual(failed('d'));

    const one = Buffer.byteLength(JSON.stringify(failed('x'.repeat(1000))));
    const byBytes = new ResultStash({ maxBytes: one * 2 });
    for (let i = 0; i < 10; i++) byBytes.stash(failed('x'.repeat(1000)), at);
    expect(byBytes.size).toEqual({ results: 2, bytes: one * 2 });
  });
});

describe('a result link for the browser that posted', () => {
  it('sets a short-lived HttpOnly, SameSite=Lax cookie scoped to the page it names', () => {
    const link = stashResultForBrowser(failed('e'), '/demos/filesystem/', true, at);
    expect(link.location).toMatch(/^\/demos\/filesystem\/\?result=[A-Za-z0-9_-]{22}#result$/);
    expect(link.setCookie).toMatch(
      new RegExp(
        `^${RESULT_COOKIE}=[A-Za-z0-9_-]{22}; Max-Age=300; Path=/demos/filesystem/; HttpOnly; Secure; SameSite=Lax$`,
      ),
    );
    expect(link.location).not.toContain(link.setCookie.split(';')[0]!.split('=')[1]!);
  });
});

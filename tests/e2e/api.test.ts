import { describe, expect, inject, it } from 'vitest';
import { cookieStores, howToEnable, liveServerStores, unconfiguredStores } from './stores';

const baseURL = inject('baseURL');
const demo = `${baseURL}/api/demo/signed-cookie`;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: unknown };
  expect(typeof body.error).toBe('string');
  return body.error as string;
}

describe('demo API', () => {
  it('reads a new session without setting a cookie', async () => {
    const response = await fetch(demo);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('server-timing')).toMatch(/load;desc="[^"]+";dur=\d+\.\d{3}/);
    const body = await response.json();
    expect(body.status).toBe('new');
    expect(body.store.id).toBe('signed-cookie');
    expect(body.server).toBeNull();
  });

  it('reports the bytes it sent, matching the Set-Cookie header on the wire', async () => {
    const response = await postJson(demo, { action: 'set', key: 'user_id', value: 'ü42' });
    expect(response.status).toBe(200);
    const lines = response.headers.getSetCookie();
    const body = await response.json();
    expect(body.wire.response.setCookies).toHaveLength(lines.length);
    expect(
      body.wire.response.setCookies.map((cookie: { lineBytes: number }) => cookie.lineBytes),
    ).toEqual(lines.map((line) => Buffer.byteLength(line)));
    expect(body.data).toEqual({ user_id: 'ü42' });
  });

  it('sends the session back and counts the Cookie header bytes as received', async () => {
    const set = await postJson(demo, { action: 'increment' });
    const line = set.headers.getSetCookie().find((header) => header.startsWith('session=')) ?? '';
    const cookie = line.split(';')[0] ?? '';
    const read = await fetch(demo, { headers: { Cookie: cookie } });
    const body = await read.json();
    expect(body.status).toBe('ok');
    expect(body.data).toEqual({ counter: 1 });
    expect(body.wire.request.cookieHeaderBytes).toBe(Buffer.byteLength(cookie));
    expect(body.wire.request.cookies).toEqual([
      { name: 'session', nameValueBytes: Buffer.byteLength(cookie.replace('=', '')) },
    ]);
  });

  it('reports its own body size exactly', async () => {
    const response = await postJson(demo, { action: 'grow', bytes: 1024 });
    const text = await response.text();
    expect(JSON.parse(text).wire.response.bodyBytes).toBe(Buffer.byteLength(text));
  });

  it('answers a forged cookie with status tampered, not an error', async () => {
    const response = await fetch(demo, {
      headers: { Cookie: 'session=eyJmb28iOiJiYXIifQ.aT_x.bogus' },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).status).toBe('tampered');
  });

  it.each([
    ['an unknown store', `${baseURL}/api/demo/nope`, { action: 'clear' }, 404, /unknown store/],
    ['an unknown action', demo, { action: 'explode' }, 400, /unknown action/],
    ['a bad key', demo, { action: 'set', key: '../etc', value: 'x' }, 400, /"key"/],
    ['a size beyond the bound', demo, { action: 'grow', bytes: 10_000_000 }, 400, /"bytes"/],
    ['malformed JSON', demo, '{"action":', 400, /not a JSON object/],
    ['a JSON array', demo, '[1,2]', 400, /not a JSON object/],
  ])('refuses %s with a clear message', async (_label, url, body, status, message) => {
    const response = await postJson(url, body);
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toMatch(message);
  });

  it('refuses a session that breaks the 4096-byte cookie rule, explaining why', async () => {
    const response = await postJson(demo, { action: 'grow', bytes: 5120 });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatch(/4096/);
  });

  it('refuses a body over the limit', async () => {
    const response = await postJson(demo, { action: 'set', key: 'k', value: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
  });

  it('refuses an unsupported content type', async () => {
    const response = await fetch(demo, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'hi',
    });
    expect(response.status).toBe(415);
  });

  it('refuses cross-origin state changes', async () => {
    const response = await postJson(demo, { action: 'clear' }, { Origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatch(/cross-origin/);
  });

  it('refuses an unknown instance', async () => {
    const response = await fetch(`${demo}?instance=99`);
    expect(response.status).toBe(400);
  });

  it('accepts the no-JavaScript form encoding', async () => {
    const response = await fetch(demo, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'action=set&key=theme&value=dark',
    });
    expect(response.status).toBe(200);
    expect((await response.json()).data).toEqual({ theme: 'dark' });
  });
});

describe('quiz API', () => {
  const quizUrl = `${baseURL}/api/quiz/signed-cookie`;
  const form = (body: string) =>
    fetch(quizUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
    });

  it('refuses unknown question ids', async () => {
    const response = await form('no-such-question=a');
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/unknown question/);
  });

  it('refuses an unknown quiz', async () => {
    const response = await fetch(`${baseURL}/api/quiz/nope`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(response.status).toBe(404);
  });

  it('grades an empty submission as 0% and starts a learner session', async () => {
    const response = await form('');
    expect(response.status).toBe(200);
    expect((await response.json()).grade.scorePercent).toBe(0);
    expect(response.headers.getSetCookie().join('\n')).toMatch(/^session_lab_learner=/m);
  });
});

describe('pages', () => {
  it('answers an unknown path with the 404 page', async () => {
    const response = await fetch(`${baseURL}/no-such-page`);
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/Page not found/);
  });
});

describe.each([...cookieStores, ...liveServerStores])('the %s demo over real HTTP', (store) => {
  const url = `${baseURL}/api/demo/${store}`;

  it('sets a session, sends it back, and reports the bytes exactly', async () => {
    const set = await postJson(url, { action: 'set', key: 'user_id', value: '42' });
    expect(set.status).toBe(200);
    const lines = set.headers.getSetCookie();
    const setBody = await set.json();
    expect(
      setBody.wire.response.setCookies.map((cookie: { lineBytes: number }) => cookie.lineBytes),
    ).toEqual(lines.map((line) => Buffer.byteLength(line)));
    const storeLines = lines.filter((line) => !line.startsWith('session_lab_learner='));
    expect(storeLines.length).toBeGreaterThan(0);
    expect(storeLines.every((line) => line.includes(`Path=/api/demo/${store}`))).toBe(true);

    const cookie = lines.map((line) => line.split(';')[0]).join('; ');
    const read = await fetch(url, { headers: { Cookie: cookie } });
    const body = await read.json();
    expect(body.status).toBe('ok');
    expect(body.data).toEqual({ user_id: '42' });
    expect(body.wire.request.cookieHeaderBytes).toBe(Buffer.byteLength(cookie));
    expect(read.headers.get('server-timing')).toMatch(/load;/);
    if (body.store.where === 'server') expect(body.server.bytes).toBeGreaterThan(0);
    else expect(body.server).toBeNull();
  });
});

describe.each(unconfiguredStores)('the %s demo without its server configured', (store) => {
  it('answers 503 with how to enable it, for reads and writes', async () => {
    const read = await fetch(`${baseURL}/api/demo/${store}`);
    expect(read.status).toBe(503);
    expect(read.headers.get('retry-after')).toBeTruthy();
    expect(await errorOf(read)).toMatch(howToEnable);
    const write = await postJson(`${baseURL}/api/demo/${store}`, { action: 'increment' });
    expect(write.status).toBe(503);
  });
});

describe('demo actions beyond load and save', () => {
  const cookieOf = (response: Response) =>
    response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');

  it('cannot revoke a cookie session, and says why', async () => {
    const response = await postJson(demo, { action: 'revoke-all' });
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatch(/valid until it expires/);
  });

  it('signs a learner out everywhere in a server store, other devices included', async () => {
    const url = `${baseURL}/api/demo/sqlite`;
    const first = await postJson(url, { action: 'set', key: 'user_id', value: '1' });
    const cookie = cookieOf(first);
    expect(cookie).toMatch(/session_lab_learner=/);
    const second = await postJson(url, { action: 'second-session' }, { Cookie: cookie });
    expect((await second.json()).server.ownerSessions).toBe(2);
    const revoke = await postJson(url, { action: 'revoke-all' }, { Cookie: cookie });
    const revoked = await revoke.json();
    expect(revoked.notice).toMatch(/2 sessions deleted/);
    const after = await fetch(url, { headers: { Cookie: cookie } });
    expect((await after.json()).status).toBe('new');
  });

  it('plants a forged cookie value for the next request to carry', async () => {
    const response = await postJson(`${baseURL}/api/demo/plain-cookie`, {
      action: 'tamper',
      cookie: 'plain_session',
      value: '{%22role%22:%22admin%22}',
    });
    expect(response.status).toBe(200);
    expect(
      response.headers.getSetCookie().find((line) => line.startsWith('plain_session=')),
    ).toMatch(/^plain_session=\{%22role%22:%22admin%22\}; .*Path=\/api\/demo\/plain-cookie/);
    const read = await fetch(`${baseURL}/api/demo/plain-cookie`, {
      headers: { Cookie: cookieOf(response) },
    });
    expect((await read.json()).data).toEqual({ role: 'admin' });
  });

  it('refuses a tampered value a cookie cannot carry', async () => {
    const response = await postJson(demo, { action: 'tamper', cookie: 'session', value: 'a b;c' });
    expect(response.status).toBe(400);
  });

  it('sends an oversized cookie only when asked to', async () => {
    const response = await postJson(demo, { action: 'grow', bytes: 5120, sendAnyway: true });
    expect(response.status).toBe(200);
    const body = await response.json();
    const sessionCookie = body.wire.response.setCookies.find(
      (cookie: { name: string }) => cookie.name === 'session',
    );
    expect(sessionCookie.nameValueBytes).toBeGreaterThan(4096);
  });

  it('shows a form post’s result on the demo page (no JavaScript) to that browser alone, once', async () => {
    const response = await fetch(demo, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
      body: 'action=set&key=plan&value=no-js',
    });
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(/^\/demos\/signed-cookie\/\?result=/);
    const lines = response.headers.getSetCookie();
    expect(lines.some((line) => line.startsWith('session='))).toBe(true);
    const binding = lines.find((line) => line.startsWith('session_lab_result='));
    expect(binding).toMatch(
      /; Max-Age=300; Path=\/demos\/signed-cookie\/; HttpOnly; SameSite=Lax$/,
    );
    const cookie = binding!.split(';')[0]!;
    const data = /&quot;plan&quot;: &quot;no-js&quot;|"plan": "no-js"/;

    // Another browser given the link (no cookie, or a made-up one) sees the page, not the data.
    const strangers: Record<string, string>[] = [
      {},
      { Cookie: 'session_lab_result=AAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of strangers) {
      const stranger = await fetch(`${baseURL}${location}`, { headers });
      expect(stranger.status).toBe(200);
      const html = await stranger.text();
      expect(html).not.toMatch(data);
      expect(html).not.toMatch(/Result of your last action/);
      expect(html).toMatch(/The result this link points to is not shown/);
    }

    // The browser that posted sees it, and the cookie is cleared.
    const owner = await fetch(`${baseURL}${location}`, { headers: { Cookie: cookie } });
    const page = await owner.text();
    expect(page).toMatch(/Result of your last action/);
    expect(page).toMatch(data);
    expect(owner.headers.getSetCookie().join('\n')).toMatch(
      /^session_lab_result=[^;]*; .*Path=\/demos\/signed-cookie\//m,
    );

    // Once: opening the link again, even with the cookie, shows nothing.
    const again = await (
      await fetch(`${baseURL}${location}`, { headers: { Cookie: cookie } })
    ).text();
    expect(again).not.toMatch(data);
    expect(again).toMatch(/The result this link points to is not shown/);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a client has used its demo writes', async () => {
    const { startSite } = await import('./server');
    const site = await startSite({ RATE_LIMIT_DEMO_WRITES: '3/60' });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const response = await postJson(`${site.baseURL}/api/demo/signed-cookie`, {
          action: 'increment',
        });
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfter = response.headers.get('retry-after');
          expect(await errorOf(response)).toMatch(/too many demo requests/);
        } else await response.body?.cancel();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // Reads stay free.
      expect((await fetch(`${site.baseURL}/api/demo/signed-cookie`)).status).toBe(200);
    } finally {
      await site.stop();
    }
  });
});

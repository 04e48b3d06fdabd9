/**
 * Past each limit the answer is a proper 429: status text "Too Many Requests" (not "429 OK"),
 * `Retry-After`, JSON `{ error }` on the API and an HTML page on the sign-in form. This site gets
 * small limits of its own; every other reliability site gets limits it never reaches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText, header, send, type RawRequest, type RawResponse } from './support/http-client';
import { LiveSite } from './support/live-site';
import { jsonError } from './support/oracle';
import { instructorToken } from './support/site-fixtures';
import { demoWrite, quizSubmission } from './support/site-requests';

const limit = 3;
let site: LiveSite;

beforeAll(async () => {
  site = await LiveSite.start({
    INSTRUCTOR_TOKEN: instructorToken,
    RATE_LIMIT_DEMO_WRITES: `${limit}/600`,
    RATE_LIMIT_QUIZ: `${limit}/600`,
    RATE_LIMIT_SIGN_IN: `${limit}/600`,
  });
});

afterAll(() => site?.stop());

/** Sends the request until it is refused (at most a few times past the limit): the answers before, and the refusal. */
async function untilLimited(
  request: RawRequest,
): Promise<{ before: RawResponse[]; limited: RawResponse }> {
  const before: RawResponse[] = [];
  for (let attempt = 0; attempt < limit + 3; attempt++) {
    const response = await send(site.port, request);
    if (response.status === 429) return { before, limited: response };
    before.push(response);
  }
  throw new Error(`${request.method} ${request.path} was never limited`);
}

function expectProper429(response: RawResponse): void {
  expect(response.statusMessage).toBe('Too Many Requests');
  expect(Number(header(response, 'retry-after'))).toBeGreaterThan(0);
}

describe('429 answers', () => {
  it('on demo writes: JSON, Retry-After, the right status text', async () => {
    const { limited: response } = await untilLimited(
      demoWrite('signed-cookie', { action: 'increment' }),
    );
    expectProper429(response);
    expect(header(response, 'content-type')).toMatch(/^application\/json/);
    expect(jsonError(response)).toMatch(/too many/);
  });

  it('on quiz submissions: JSON, Retry-After, the right status text', async () => {
    const { limited: response } = await untilLimited(quizSubmission('jwt'));
    expectProper429(response);
    expect(jsonError(response)).toMatch(/too many/);
  });

  it('on instructor sign-in: an HTML page, Retry-After, the right status text', async () => {
    const { before, limited: response } = await untilLimited({
      method: 'POST',
      path: '/instructor/sign-in',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
      body: 'token=wrong-guess',
    });
    expectProper429(response);
    expect(header(response, 'content-type')).toMatch(/^text\/html/);
    expect(bodyText(response, 100_000)).toMatch(/<html/i);
    // The wrong guesses before the limit: 401 with its own status text.
    expect(before.map((answer) => `${answer.status} ${answer.statusMessage}`)).toEqual(
      before.map(() => '401 Unauthorized'),
    );
  });
});

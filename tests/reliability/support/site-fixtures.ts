/**
 * What the fuzzed site must hold so requests reach the code behind each parameter: an instructor
 * session, a class (its id and join code), and a learner with one quiz attempt.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { cookieHeader, setCookieLines } from './cookies';
import { send } from './http-client';
import type { LiveSite } from './live-site';
import type { SiteFixtures } from './route-params';
import { quizSubmission } from './site-requests';

export const instructorToken = 'reliability-instructor-token-0123456789';

export interface FuzzFixtures extends SiteFixtures {
  instructorCookie: string;
  learnerCookie: string;
}

export async function prepareFixtures(site: LiveSite): Promise<FuzzFixtures> {
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const signIn = await send(site.port, {
    method: 'POST',
    path: '/instructor/sign-in',
    headers: form,
    body: `token=${instructorToken}`,
  });
  const instructorCookie = cookieHeader(setCookieLines(signIn));
  if (signIn.status !== 303 || !instructorCookie) {
    throw new Error(`instructor sign-in answered ${signIn.status}`);
  }
  const created = await send(site.port, {
    method: 'POST',
    path: '/instructor/',
    headers: { ...form, Cookie: instructorCookie },
    body: 'action=create&name=Reliability',
  });
  const classId = /\/instructor\/classes\/([^/]+)\//.exec(created.headers.location ?? '')?.[1];
  if (!classId) throw new Error(`creating a class answered ${created.status}`);

  const quiz = await send(site.port, quizSubmission('jwt'));
  const learnerCookie = cookieHeader(setCookieLines(quiz));
  const attemptId = String((JSON.parse(quiz.body.toString()) as { attemptId: number }).attemptId);

  return {
    classId,
    joinCode: joinCodeOf(site, classId),
    attemptId,
    instructorCookie,
    learnerCookie,
  };
}

/** The join code is shown only inside the class page's markup; the database says it plainly. */
function joinCodeOf(site: LiveSite, classId: string): string {
  const db = new Database(path.join(site.dataDir, 'session-lab.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT code FROM classroom WHERE id = ?').get(classId) as
      { code: string } | undefined;
    if (!row) throw new Error(`class ${classId} is not in the database`);
    return row.code;
  } finally {
    db.close();
  }
}

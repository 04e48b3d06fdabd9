/**
 * Demo writes are limited per learner, with a higher ceiling per address. A class of 30 behind one
 * school router shares one address: limited per address alone, the whole class would be throttled
 * as one person. So each learner (the learner cookie's id) gets `demoWriteLimit` of their own, and
 * the address as a whole `demoWriteAddressLimit`, which no number of learners (or cookies thrown
 * away to become a new learner) can exceed. A browser with no learner yet counts as its address.
 */
import {
  addressBucket,
  RateLimiter,
  type RateDecision,
  type RateLimit,
} from '../platform/rate-limit';
import type { RateLimitStorage } from '../platform/rate-limit-storage';
import type { AppContext } from '../platform/app-context';
import { HttpError } from '../platform/http';
import type { CookieJar } from '../../sessions/cookie-jar';
import { validateLearnerCookie, type CookieAccess } from '../learner/learner-cookie';

export interface DemoWriter {
  /** The client's address; IPv6 counts by its /64 (see `addressBucket`). */
  address: string;
  /** The learner cookie's learner id, when the browser has a valid one. */
  learnerId?: string | null;
}

export class DemoWriteLimiter {
  readonly storage: RateLimitStorage;
  readonly #perLearner: RateLimiter;
  readonly #perAddress: RateLimiter;

  constructor(perLearner: RateLimit, perAddress: RateLimit, storage: RateLimitStorage) {
    this.storage = storage;
    this.#perLearner = new RateLimiter(perLearner, { storage, name: 'demo-writes' });
    this.#perAddress = new RateLimiter(perAddress, { storage, name: 'demo-writes-address' });
  }

  /**
   * The learner's own allowance first, then the address's ceiling. A learner over their own
   * limit is refused without touching the ceiling, so one busy learner cannot use up their
   * classmates' share of it.
   */
  async take({ address, learnerId }: DemoWriter): Promise<RateDecision> {
    const bucket = addressBucket(address);
    const own = learnerId ? `learner:${learnerId}` : `address:${bucket}`;
    const mine = await this.#perLearner.take(own);
    if (!mine.allowed) return mine;
    return this.#perAddress.take(bucket);
  }
}

/**
 * The writer behind a request: its address, and its learner when the learner cookie is valid.
 * A refresh of that cookie, when one is due, goes into `cookies` as on any other request, so
 * pass the jar whose `Set-Cookie` lines the response carries.
 */
export async function demoWriter(
  app: Pick<AppContext, 'db'>,
  cookies: CookieAccess,
  secure: boolean,
  address: string,
): Promise<DemoWriter> {
  const learner = await validateLearnerCookie(app, cookies, { secure, clearInvalid: false });
  return { address, learnerId: learner?.learnerId ?? null };
}

/**
 * The 429 for a refused demo write. Finding the learner (`demoWriter`) may have extended their
 * session; its refreshed cookie goes out with the refusal too, or the browser's copy would expire
 * before the session it names. By then it is the only cookie in the jar, so one header carries it.
 */
export function tooManyDemoWrites(retryAfterSeconds: number, cookies: CookieJar): HttpError {
  const [refreshed] = cookies.setCookieLines();
  return new HttpError(
    429,
    `too many demo requests from this learner or address; try again in ${retryAfterSeconds} s`,
    { 'Retry-After': String(retryAfterSeconds), ...(refreshed && { 'Set-Cookie': refreshed }) },
  );
}

/**
 * A race press is one action: the console sends N overlapping increments at once, and they cost
 * the learner one demo write, not N. The requests name their race in a header,
 * `X-Demo-Race: <id>/<N>`; the first one of a race takes one token from the write limiter and
 * opens the race, and the next N − 1 requests naming it ride along without a token.
 *
 * Open races are remembered by the process that saw them. When one browser's connections are
 * spread over several processes (workers on one port, or a load balancer without sticky
 * sessions), each process that gets part of a race opens it for itself: a press then costs one
 * write per process it reaches, and each opening counts against `raceOpenLimit`, which is shared
 * like every limit.
 *
 * Why it cannot be used to get around the limit: N is at most `maxRaceSize`; a race admits
 * riders only for `raceWindowMs` after it opened, and only N − 1 of them; races are keyed by the
 * client's address bucket, so another address cannot ride one; and an address may open at most
 * `raceOpenLimit` races (each also a write) — past that a request naming a race simply takes a
 * token like any other write. So riders add at most raceOpenLimit × (maxRaceSize − 1) requests to
 * an address's ordinary limit, in the same window.
 */
import {
  addressBucket,
  RateLimiter,
  type RateDecision,
  type RateLimit,
} from '../platform/rate-limit';
import { HttpError } from '../platform/http';
import type { DemoWriteLimiter, DemoWriter } from './demo-write-limit';

export const raceHeader = 'X-Demo-Race';
/** The console sends 20; a little room, and no more. */
export const maxRaceSize = 25;
/** Long enough for a browser's six connections to get 25 slow requests out, even in turn. */
export const raceWindowMs = 10_000;
/** Races one address may open. */
export const raceOpenLimit: RateLimit = { max: 10, windowSeconds: 60 };
/** Open races remembered at once, for every address together; the oldest go first. */
const maxOpenRaces = 10_000;

interface OpenRace {
  riders: number;
  closesAt: number;
  /** Whether the request that named the race first got its write and opened it. */
  opened: Promise<boolean>;
}

const racePattern = /^([A-Za-z0-9_-]{8,64})\/(\d{1,2})$/;

/** Reads the header; null when absent, a 400 when it is there but not a race. */
export function parseRaceHeader(value: string | null): { id: string; size: number } | null {
  if (value === null) return null;
  const match = racePattern.exec(value.trim());
  const size = Number(match?.[2]);
  if (!match || !Number.isInteger(size) || size < 2 || size > maxRaceSize) {
    throw new HttpError(
      400,
      `"${raceHeader}" must be "<id>/<N>": an id of 8–64 letters, digits, "_" or "-", and N from 2 to ${maxRaceSize}`,
    );
  }
  return { id: match[1]!, size };
}

export class RaceAdmissions {
  readonly #writes: DemoWriteLimiter;
  readonly #opens: RateLimiter;
  /** Insertion order is opening order, so the first entries are the oldest. */
  readonly #open = new Map<string, OpenRace>();

  constructor(writes: DemoWriteLimiter) {
    this.#writes = writes;
    this.#opens = new RateLimiter(raceOpenLimit, { storage: writes.storage, name: 'race-opens' });
  }

  /** One demo write, or a ride on a race this address opened moments ago. */
  async take(
    writer: DemoWriter,
    raceHeaderValue: string | null,
    now = Date.now(),
  ): Promise<RateDecision> {
    const race = parseRaceHeader(raceHeaderValue);
    if (race === null) return this.#writes.take(writer);
    const key = `${addressBucket(writer.address)}\n${race.id}`;
    const open = this.#open.get(key);
    if (open !== undefined) {
      // The opener may still be waiting for its token; riders wait with it, then count.
      if ((await open.opened) && open.riders > 0 && now < open.closesAt) {
        open.riders--;
        return { allowed: true };
      }
      // Refused, spent or closed: every further request is an ordinary write.
      return this.#writes.take(writer);
    }
    // Remembered before the first await, so the race's other requests, arriving while this one
    // takes its token, find it and ride instead of each taking a token of their own.
    let settle!: (opened: boolean) => void;
    const pending: OpenRace = {
      riders: race.size - 1,
      closesAt: now + raceWindowMs,
      opened: new Promise((resolve) => (settle = resolve)),
    };
    this.#remember(key, pending, now);
    let opened = false;
    try {
      const decision = await this.#writes.take(writer);
      opened = decision.allowed && (await this.#opens.take(addressBucket(writer.address))).allowed;
      return decision;
    } finally {
      settle(opened);
      if (!opened && this.#open.get(key) === pending) this.#open.delete(key);
    }
  }

  /** Open races, for the test that shows the map stays bounded. */
  get size(): number {
    return this.#open.size;
  }

  #remember(key: string, race: OpenRace, now: number): void {
    this.#open.set(key, race);
    for (const [oldKey, old] of this.#open) {
      if (this.#open.size <= maxOpenRaces && old.closesAt > now) break;
      this.#open.delete(oldKey);
    }
  }
}

const admissions = new WeakMap<DemoWriteLimiter, RaceAdmissions>();

/** The race admissions that share this write limiter's tokens (one per running site). */
export function raceAdmissionsFor(writes: DemoWriteLimiter): RaceAdmissions {
  let found = admissions.get(writes);
  if (!found) {
    found = new RaceAdmissions(writes);
    admissions.set(writes, found);
  }
  return found;
}

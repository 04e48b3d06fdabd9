/**
 * One request log for the whole page, as the browser's own DevTools keeps one per tab. Every demo
 * console on a page is its own island, but islands share modules, so this single instance is
 * what they all record into and what the one inspector drawer reads. Numbering is page-wide
 * already (`exchange.ts` counts every request the page sends).
 *
 * It also holds the drawer's state — open or closed, its height, the request to show — so a
 * console's "Details" button can open the drawer on a request without knowing where it is.
 */
import type { Exchange } from './exchange';

/** Old exchanges are dropped past this many, so a long session cannot grow the page forever. */
const maxLogLength = 300;

const storageKey = 'session-lab:inspector';

/** Heights the learner can drag the open drawer to, as fractions of the viewport. */
export const drawerHeightLimits = { min: 0.2, max: 0.85, initial: 0.45 } as const;

interface SavedDrawer {
  open: boolean;
  heightFraction: number;
}

function readSaved(): SavedDrawer | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey) ?? 'null');
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { open, heightFraction } = parsed as Partial<SavedDrawer>;
    if (typeof open !== 'boolean' || typeof heightFraction !== 'number') return null;
    return { open, heightFraction: clampHeight(heightFraction) };
  } catch {
    // No storage (private modes, a bad value): the drawer starts closed at its usual height.
    return null;
  }
}

export function clampHeight(fraction: number): number {
  if (!Number.isFinite(fraction)) return drawerHeightLimits.initial;
  return Math.min(drawerHeightLimits.max, Math.max(drawerHeightLimits.min, fraction));
}

class PageLog {
  exchanges = $state.raw<Exchange[]>([]);
  open = $state(false);
  heightFraction = $state<number>(drawerHeightLimits.initial);
  /** A request a console asked the drawer to show; the drawer selects it and clears this. */
  revealSeq = $state<number | null>(null);
  /** Bumped on every reveal, so asking twice for the same request still moves focus. */
  revealCount = $state(0);
  #restored = false;

  record(batch: readonly Exchange[]): void {
    this.exchanges = [...this.exchanges, ...batch].slice(-maxLogLength);
  }

  /** Reads the learner's last choice once, when the drawer first mounts (never on the server). */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    const saved = readSaved();
    if (!saved) return;
    this.open = saved.open;
    this.heightFraction = saved.heightFraction;
  }

  setOpen(open: boolean): void {
    this.open = open;
    this.#save();
  }

  setHeight(fraction: number): void {
    this.heightFraction = clampHeight(fraction);
    this.#save();
  }

  /** Opens the drawer on one request (or the newest) and hands it focus. */
  reveal(seq: number | null): void {
    this.revealSeq = seq;
    this.revealCount++;
    this.setOpen(true);
  }

  #save(): void {
    try {
      const saved: SavedDrawer = { open: this.open, heightFraction: this.heightFraction };
      localStorage.setItem(storageKey, JSON.stringify(saved));
    } catch {
      // Storage refused: the choice holds for this page only.
    }
  }
}

export const pageLog = new PageLog();

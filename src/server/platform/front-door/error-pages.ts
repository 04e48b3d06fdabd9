/**
 * The pages a browser sees when the front door refuses a request before Astro renders anything:
 * prerendered by src/pages/errors/[status].astro (same layout and styles as every page), read
 * from the build once and kept in memory. Should the build lack one, a plain page says the same.
 */
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';

/** Statuses the front door answers itself; the pages are prerendered for exactly these. */
export const frontDoorStatuses = [400, 405, 411, 413, 500] as const;
export type FrontDoorStatus = (typeof frontDoorStatuses)[number];
/** The statuses there is a page for: the front door's own, and the site's 404 page. */
export type PageStatus = FrontDoorStatus | 404;

export function errorPagePath(status: PageStatus): string {
  return status === 404 ? '/404' : `/errors/${status}/`;
}

export class ErrorPages {
  readonly #clientDir: string;
  readonly #pages = new Map<PageStatus, string>();

  constructor(clientDir: string) {
    this.#clientDir = clientDir;
  }

  html(status: PageStatus): string {
    let page = this.#pages.get(status);
    if (page === undefined) {
      page = this.#read(status) ?? plainPage(status);
      this.#pages.set(status, page);
    }
    return page;
  }

  #read(status: PageStatus): string | null {
    try {
      return readFileSync(
        path.join(this.#clientDir, 'errors', String(status), 'index.html'),
        'utf8',
      );
    } catch {
      return null;
    }
  }
}

function plainPage(status: PageStatus): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title} · Session Lab</title><h1>${title}</h1><p><a href="/">Go to the course</a></p></html>`;
}

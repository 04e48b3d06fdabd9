/** Number formats of the live figures, the same on the server and in the browser. */

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes.toLocaleString('en')} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatCount(count: number | null): string {
  return count === null ? '—' : count.toLocaleString('en');
}

export function formatShare(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

/** hh:mm:ss in UTC: what the server renders, so the first paint matches the island's. */
export function utcTime(iso: string): string {
  return `${iso.slice(11, 19)} UTC`;
}

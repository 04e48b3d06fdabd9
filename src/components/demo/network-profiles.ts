/**
 * Chrome DevTools' network throttling presets, and how long a number of bytes takes to go up
 * one of them: an estimate, labelled as one wherever the panel shows it.
 */

export interface NetworkProfile {
  id: string;
  /** The name Chrome DevTools shows in its throttling menu. */
  label: string;
  /** Upload throughput DevTools applies, in bits per second (its nominal rate × its adjustment). */
  uploadBitsPerSecond: number;
  /** How DevTools derives the number, for the learner to check. */
  derivation: string;
}

/**
 * Chrome DevTools' built-in throttling presets (devtools-frontend, core/sdk/NetworkManager.ts).
 * DevTools multiplies each nominal rate by an adjustment factor; these are the rates it applies.
 * "3G" was called "Slow 3G", and "Slow 4G" was called "Fast 3G", before May 2024.
 */
export const networkProfiles: readonly NetworkProfile[] = [
  {
    id: '3g',
    label: '3G',
    uploadBitsPerSecond: 500_000 * 0.8,
    derivation: '500 kbit/s × 0.8 = 400 kbit/s',
  },
  {
    id: 'slow-4g',
    label: 'Slow 4G',
    uploadBitsPerSecond: 750_000 * 0.9,
    derivation: '750 kbit/s × 0.9 = 675 kbit/s',
  },
  {
    id: 'fast-4g',
    label: 'Fast 4G',
    uploadBitsPerSecond: 1_500_000 * 0.9,
    derivation: '1.5 Mbit/s × 0.9 = 1350 kbit/s',
  },
];

/**
 * Time to push `bytes` up a link of the profile's upload rate: bytes × 8 ÷ bits per second.
 * An estimate: it leaves out latency, TCP/TLS framing and HTTP/2 header compression.
 */
export function estimateUploadMs(bytes: number, profile: NetworkProfile | string): number {
  const found =
    typeof profile === 'string' ? networkProfiles.find((item) => item.id === profile) : profile;
  if (!found) throw new Error(`unknown network profile "${String(profile)}"`);
  return ((bytes * 8) / found.uploadBitsPerSecond) * 1000;
}

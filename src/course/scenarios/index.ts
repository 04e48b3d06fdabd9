/** The worked scenarios of the Choosing lesson, in the order the lesson uses them. */
import { cdnReadMostly } from './cdn-read-mostly';
import { internalTool } from './internal-tool';
import { multiRegionLogout } from './multi-region-logout';
import { spotifyOnLambda } from './spotify-on-lambda';
import type { Scenario } from './types';

export const scenarios: readonly Scenario[] = [
  spotifyOnLambda,
  multiRegionLogout,
  cdnReadMostly,
  internalTool,
];

/** The scenario with this id; undefined for anything else, `constructor` and `__proto__` included. */
export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.id === id);
}

/** How a verdict reads on screen: words first, so colour is never the only signal. */
import type { Verdict } from '../../course/scenarios/types';

export const verdictLabels: Readonly<Record<Verdict, string>> = {
  best: 'Best fit',
  workable: 'Works, at a cost',
  poor: 'Poor fit',
};

export const verdictMarks: Readonly<Record<Verdict, string>> = {
  best: '✓',
  workable: '~',
  poor: '✗',
};

/**
 * The island's two requests to a checkpoint: commit a prediction, then press. Both go to the
 * checkpoint's address under the store's demo path, so the store's cookie rides along.
 */
import type { PredictionAnswer, PredictionStage } from '../../course/predictions/answer';

/** The same event name DemoConsole listens for: the session changed, read it again. */
export const demoChangedEvent = 'session-lab:demo-changed';

export function checkpointEndpoint(storeId: string, checkpointId: string): string {
  return `/api/demo/${encodeURIComponent(storeId)}/predictions/${encodeURIComponent(checkpointId)}`;
}

export type PredictReply = { ok: true; answer: PredictionAnswer } | { ok: false; error: string };

export async function postPrediction(
  endpoint: string,
  stage: PredictionStage,
  option?: string,
): Promise<PredictReply> {
  try {
    const reply = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(option === undefined ? { stage } : { stage, option }),
    });
    const body: unknown = await reply.json().catch(() => null);
    if (reply.ok && body && typeof body === 'object' && 'checkpoint' in body) {
      return { ok: true, answer: body as PredictionAnswer };
    }
    const error = body && typeof body === 'object' && 'error' in body ? String(body.error) : null;
    return { ok: false, error: error ?? `The server answered HTTP ${reply.status}.` };
  } catch (failure) {
    return {
      ok: false,
      error: `The request failed: ${failure instanceof Error ? failure.message : String(failure)}`,
    };
  }
}

/** The learner's prediction here from an earlier visit, or null (also when the request fails). */
export async function fetchPrediction(endpoint: string): Promise<PredictionAnswer | null> {
  try {
    const reply = await fetch(endpoint, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    if (!reply.ok) return null;
    const body = (await reply.json()) as { prediction?: PredictionAnswer | null };
    return body.prediction ?? null;
  } catch {
    return null;
  }
}

/**
 * `client:use`: an island that wakes on first use. A demo is a set of real forms that the server
 * renders and that work without JavaScript, so its script (and the Svelte runtime under it) need
 * not load before the learner reaches for it. The island hydrates the first time the pointer
 * comes over it, a finger touches it or the keyboard focuses into it; a click or submit that
 * arrives before it is ready is held and replayed once it is, so no press is lost and none posts
 * the page away. When one island wakes, every other `client:use` island on the page wakes with it
 * (the demos and the inspector share one request log).
 *
 * `client:use="Alt+Shift+I"` also wakes the island on that shortcut and replays the keystroke to
 * it afterwards, for an island whose shortcut works from anywhere on the page.
 */
import type { ClientDirective } from 'astro';
import { wakeIslandsEvent as wakeEvent } from './wake-event';
const wakingEvents = ['pointerover', 'pointerdown', 'touchstart', 'focusin'] as const;

/** "Alt+Shift+I" as a test of a keydown event; null for no shortcut. */
function shortcutTest(value: unknown): ((event: KeyboardEvent) => boolean) | null {
  if (typeof value !== 'string' || value === '') return null;
  const parts = value.split('+');
  const key = parts.at(-1) ?? '';
  return (event) =>
    event.altKey === parts.includes('Alt') &&
    event.shiftKey === parts.includes('Shift') &&
    event.ctrlKey === parts.includes('Control') &&
    event.metaKey === parts.includes('Meta') &&
    event.code === `Key${key.toUpperCase()}`;
}

const useDirective: ClientDirective = (load, options, element) => {
  let started = false;
  let hydrated = false;
  /** Presses that came before the island could answer them, in order. */
  const held: (() => void)[] = [];
  const matchesShortcut = shortcutTest(options.value);

  async function wake() {
    if (started) return;
    started = true;
    for (const type of wakingEvents) element.removeEventListener(type, wake);
    window.removeEventListener(wakeEvent, wake);
    window.dispatchEvent(new Event(wakeEvent));
    const hydrate = await load();
    await hydrate();
    hydrated = true;
    for (const replay of held.splice(0)) replay();
  }

  function hold(event: Event) {
    if (hydrated) return;
    const target = event.target instanceof Element ? event.target : null;
    if (event.type === 'submit' && target instanceof HTMLFormElement) {
      const submitter = (event as SubmitEvent).submitter;
      held.push(() => target.requestSubmit(submitter instanceof HTMLElement ? submitter : null));
    } else {
      const button = target?.closest('button');
      if (!button || button.type === 'submit') return; // a submit button's press arrives as submit
      held.push(() => button.click());
    }
    event.preventDefault();
    event.stopPropagation();
    void wake();
  }

  function onKeydown(event: KeyboardEvent) {
    if (!matchesShortcut?.(event)) return;
    window.removeEventListener('keydown', onKeydown);
    if (hydrated) return;
    event.preventDefault();
    const { key, code, altKey, shiftKey, ctrlKey, metaKey } = event;
    held.push(() =>
      window.dispatchEvent(
        new KeyboardEvent('keydown', { key, code, altKey, shiftKey, ctrlKey, metaKey }),
      ),
    );
    void wake();
  }

  for (const type of wakingEvents) element.addEventListener(type, wake, { passive: true });
  element.addEventListener('submit', hold, { capture: true });
  element.addEventListener('click', hold, { capture: true });
  window.addEventListener(wakeEvent, wake);
  if (matchesShortcut) window.addEventListener('keydown', onKeydown);
};

export default useDirective;

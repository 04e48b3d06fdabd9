/**
 * The window event that wakes every `client:use` island on the page (use-directive.ts). Something
 * that changes what a sleeping demo would show, such as a checkpoint's press on its store, sends
 * it so the demo comes up and reads the new state.
 */
export const wakeIslandsEvent = 'session-lab:wake-islands';

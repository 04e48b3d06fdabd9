/** Lets components take `client:use` (src/components/hydration/use-directive.ts). */
declare global {
  namespace Astro {
    interface ClientDirectives {
      /** Hydrate on first use; the value, if any, is a page-wide shortcut that also wakes it. */
      'client:use'?: boolean | string;
    }
  }
}

export {};

// Lets a script run the site's TypeScript modules directly with Node's type stripping
// (`node --import ./scripts/ts-paths.mjs script.ts`): the sources import each other without file
// extensions, as the bundler resolves them, so a relative import that Node cannot find is tried
// again as `.ts`, then as a folder's `index.ts`.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/^\.\.?\//.test(specifier)) throw error;
      for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
        try {
          return nextResolve(candidate, context);
        } catch {
          // Not this one either; try the next, then report the original error.
        }
      }
      throw error;
    }
  },
});

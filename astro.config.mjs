// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codeThemes } from './src/styles/code-themes.mjs';

const startupModule = fileURLToPath(new URL('./src/server/startup.ts', import.meta.url));

/**
 * Two things the Node adapter's server entry (`@astrojs/node/dist/server.js`) cannot be told
 * through options:
 *
 * - Start-up checks. The adapter loads pages and middleware lazily, on the first request;
 *   importing `src/server/startup.ts` at the top of the entry makes bad settings stop the process
 *   before it listens.
 * - The server it starts. `startServer()` creates and listens on the HTTP server and returns it
 *   (`{ server: { server }, done }`), but the entry calls it itself and keeps the result. The
 *   transform below wraps that function, so whoever calls it (the entry's autostart, or code
 *   importing `startServer` with ASTRO_NODE_AUTOSTART=disabled) hands the result to
 *   `serverStarted()`, which puts the front door (src/server/front-door) before the adapter's own
 *   request handler and adds the security headers and the graceful shutdown on SIGTERM and
 *   SIGINT. `node dist/server/entry.mjs`, `npm run serve` and `npm start` all run this entry.
 *   Should a new adapter version change that line, the build stops here rather than shipping a
 *   server without them.
 */
const adapterStartServer = 'const startServer = () => _startServer(app, options, headersMap);';

/** @returns {import('vite').Plugin} */
function hookIntoServerStart() {
  return {
    name: 'session-lab:hook-into-server-start',
    apply: 'build',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('@astrojs/node/dist/server.js')) return null;
      if (code.split(adapterStartServer).length !== 2) {
        this.error(
          'session-lab: @astrojs/node/dist/server.js no longer defines startServer as ' +
            `"${adapterStartServer}"; update hookIntoServerStart in astro.config.mjs so the ` +
            'server keeps its graceful shutdown and security headers.',
        );
      }
      const hooked = code.replace(
        adapterStartServer,
        'const startServer = () => ' +
          '__sessionLabServerStarted(_startServer(app, options, headersMap), headersMap, options, import.meta.url);',
      );
      const hook = `import { serverStarted as __sessionLabServerStarted } from ${JSON.stringify(startupModule)};`;
      return { code: `${hook}\n${hooked}`, map: null };
    },
  };
}

/**
 * Astro hashes the scripts it bundles or inlines, but sends `is:inline` scripts as written and
 * does not hash them. The layout's theme script must run inline, before first paint, so the hashes
 * of every `is:inline` script in src/ are added to the policy here.
 *
 * @param {URL} directory
 * @returns {import('astro').CspHash[]}
 */
function inlineScriptHashes(directory) {
  /** @type {import('astro').CspHash[]} */
  const hashes = [];
  for (const file of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.astro')) continue;
    const source = readFileSync(new URL(file, directory), 'utf8');
    for (const [, body] of source.matchAll(
      /<script\b[^>]*\bis:inline\b[^>]*>([\s\S]*?)<\/script>/g,
    )) {
      const digest = createHash('sha256')
        .update(body ?? '')
        .digest('base64');
      hashes.push(`sha256-${digest}`);
    }
  }
  return hashes;
}

// Pages are prerendered unless they opt out with `export const prerender = false`:
// lessons are static, demos and grading are server routes.
export default defineConfig({
  site: 'http://localhost:4321',
  // staticHeaders: prerendered pages get their Content-Security-Policy as a header, not a <meta>
  // (which cannot carry frame-ancestors); see src/server/security-headers.ts.
  adapter: node({ mode: 'standalone', bodySizeLimit: 64 * 1024, staticHeaders: true }),
  integrations: [svelte(), mdx()],
  server: { port: 4321 },
  vite: { plugins: [hookIntoServerStart()] },
  // Styles as files, never inline <style>: the policy allows styles from this site and Astro's
  // hashes, and styles that MDX lessons pull in from components are inlined without a hash.
  build: { inlineStylesheets: 'never' },
  security: {
    // The API routes check Origin and Sec-Fetch-Site themselves, for JSON as well as forms, and
    // let scripts without an Origin (curl) through; Astro's own check would refuse those forms.
    checkOrigin: false,
    // Astro adds the hashes of every script and style it emits. Search runs Pagefind's
    // WebAssembly ('wasm-unsafe-eval' allows compiling it, not eval). Shiki colours code with
    // style attributes, so style attributes (not <style> elements) may be inline.
    csp: {
      directives: [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ],
      scriptDirective: {
        resources: ["'self'", "'wasm-unsafe-eval'"],
        hashes: inlineScriptHashes(new URL('./src/', import.meta.url)),
      },
      styleDirective: {
        resources: [
          { resource: "'self'", kind: 'element' },
          { resource: "'unsafe-inline'", kind: 'attribute' },
        ],
      },
    },
  },
  markdown: {
    shikiConfig: {
      themes: codeThemes,
    },
  },
});

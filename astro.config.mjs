// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codeThemes } from './src/styles/code-themes.mjs';

/**
 * The build's server entry, dist/server/entry.mjs, is our own src/server/platform/serve.ts instead of the
 * Node adapter's: it makes the HTTP server itself, around the adapter's exported handler, so the
 * front door, the security headers and the graceful shutdown are in place before it listens
 * (why, at length, at the top of serve.ts). Two public ways in:
 *
 * - Astro builds the server from the SSR environment's `rolldownOptions.input`, which the adapter
 *   sets to its own entry and which may be set at the Vite level instead; this plugin's config
 *   hook runs after the adapter's (`order: 'post'`) and names serve.ts.
 * - Prerendered pages' Content-Security-Policy headers reach integrations as `routeToHeaders` in
 *   the `astro:build:generated` hook (filled because the adapter has `staticHeaders`). They are
 *   saved beside the entry as `page-policies.json` (the name src/server/platform/security-headers.ts reads),
 *   with the hashes of the page's inline <style> elements added (see inlineStyleHashes).
 *
 * @returns {import('astro').AstroIntegration}
 */
function ownServerEntry() {
  const entry = fileURLToPath(new URL('./src/server/platform/serve.ts', import.meta.url));
  /** @type {URL | undefined} */
  let serverDirectory;
  /** @type {URL | undefined} */
  let clientDirectory;
  return {
    name: 'session-lab:own-server-entry',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'session-lab:own-server-entry',
                apply: 'build',
                config: {
                  order: 'post',
                  handler: () => ({
                    environments: {
                      ssr: { build: { rolldownOptions: { input: { index: entry } } } },
                    },
                  }),
                },
                // Should another plugin ever win, the build stops rather than ship the adapter's
                // own server without the front door, the headers and the graceful shutdown.
                generateBundle(_, bundle) {
                  if (this.environment.name !== 'ssr') return;
                  const built = Object.values(bundle).some(
                    (output) =>
                      output.type === 'chunk' && output.isEntry && output.facadeModuleId === entry,
                  );
                  if (!built) {
                    this.error(`session-lab: the server entry is not ${entry}; see ownServerEntry`);
                  }
                },
              },
            ],
          },
        });
      },
      'astro:config:done': ({ config }) => {
        serverDirectory = config.build.server;
        clientDirectory = config.build.client;
      },
      'astro:build:generated': ({ routeToHeaders }) => {
        if (!serverDirectory || !clientDirectory) throw new Error('astro:config:done has not run');
        /** @type {Record<string, string>} */
        const policies = {};
        for (const [pathname, { headers }] of routeToHeaders) {
          const policy = headers.get('Content-Security-Policy');
          if (policy)
            policies[pathname] = withInlineStyles(policy, pageHtml(clientDirectory, pathname));
        }
        mkdirSync(serverDirectory, { recursive: true });
        writeFileSync(new URL('page-policies.json', serverDirectory), JSON.stringify(policies));
      },
    },
  };
}

/**
 * The HTML Astro wrote for a prerendered page (`build.format: 'directory'`, and `/404.html`).
 *
 * @param {URL} clientDirectory
 * @param {string} pathname
 * @returns {string}
 */
function pageHtml(clientDirectory, pathname) {
  const relative = pathname.replace(/^\/+|\/+$/g, '');
  for (const file of [`${relative}/index.html`, `${relative}.html`]) {
    const url = new URL(file.replace(/^\//, ''), clientDirectory);
    if (existsSync(url)) return readFileSync(url, 'utf8');
  }
  throw new Error(`session-lab: no HTML for the prerendered page ${pathname}`);
}

/**
 * Small stylesheets are inlined as <style> (`build.inlineStylesheets: 'auto'`) so a lesson does
 * not wait on eight render-blocking requests. Astro hashes the styles it inlines itself, but not
 * those an MDX lesson pulls in from its components (code tabs, "go deeper"), so the hash of every
 * inline <style> the page holds is added to its `style-src-elem` here.
 *
 * @param {string} policy
 * @param {string} html
 * @returns {string}
 */
function withInlineStyles(policy, html) {
  const hashes = new Set();
  for (const [, body] of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)) {
    hashes.add(
      `'sha256-${createHash('sha256')
        .update(body ?? '')
        .digest('base64')}'`,
    );
  }
  if (hashes.size === 0) return policy;
  const directives = policy.split(';').map((part) => part.trim());
  const index = directives.findIndex((part) => part.startsWith('style-src-elem '));
  if (index === -1) throw new Error('session-lab: the policy has no style-src-elem to extend');
  const sources = new Set((directives[index] ?? '').split(/\s+/));
  for (const hash of hashes) sources.add(hash);
  directives[index] = [...sources].join(' ');
  return directives.filter(Boolean).join('; ');
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
/**
 * `client:use`: islands that hydrate on first use (src/components/hydration/use-directive.ts), so a
 * lesson page does not load a demo's script until the learner reaches for the demo.
 *
 * @returns {import('astro').AstroIntegration}
 */
function hydrateOnUse() {
  return {
    name: 'session-lab:hydrate-on-use',
    hooks: {
      'astro:config:setup': ({ addClientDirective }) => {
        addClientDirective({
          name: 'use',
          entrypoint: fileURLToPath(
            new URL('./src/components/hydration/use-directive.ts', import.meta.url),
          ),
        });
      },
    },
  };
}

export default defineConfig({
  site: 'http://localhost:4321',
  // staticHeaders: prerendered pages get their Content-Security-Policy as a header, not a <meta>
  // (which cannot carry frame-ancestors); see src/server/platform/security-headers.ts.
  adapter: node({ mode: 'standalone', bodySizeLimit: 64 * 1024, staticHeaders: true }),
  integrations: [svelte(), mdx(), hydrateOnUse(), ownServerEntry()],
  server: { port: 4321 },
  // Stylesheets under 4 KB go inline, each allowed by its hash (withInlineStyles): a lesson then
  // waits on two stylesheets instead of eight before its first paint.
  build: { inlineStylesheets: 'auto' },
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

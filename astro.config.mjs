// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { fileURLToPath } from 'node:url';
import { codeThemes } from './src/styles/code-themes.mjs';

const startupModule = fileURLToPath(new URL('./src/server/startup.ts', import.meta.url));

/**
 * The Node adapter loads pages and middleware lazily, on the first request. Importing the
 * start-up check at the top of the server entry makes bad settings stop the process before it
 * listens.
 */
/** @returns {import('vite').Plugin} */
function checkSettingsAtStartup() {
  return {
    name: 'session-lab:check-settings-at-startup',
    apply: 'build',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('@astrojs/node/dist/server.js')) return null;
      return { code: `import ${JSON.stringify(startupModule)};\n${code}`, map: null };
    },
  };
}

// Pages are prerendered unless they opt out with `export const prerender = false`:
// lessons are static, demos and grading are server routes.
export default defineConfig({
  site: 'http://localhost:4321',
  adapter: node({ mode: 'standalone', bodySizeLimit: 64 * 1024 }),
  integrations: [svelte(), mdx()],
  server: { port: 4321 },
  vite: { plugins: [checkSettingsAtStartup()] },
  // The API routes check Origin and Sec-Fetch-Site themselves, for JSON as well as forms, and
  // let scripts without an Origin (curl) through; Astro's own check would refuse those forms.
  security: { checkOrigin: false },
  markdown: {
    shikiConfig: {
      themes: codeThemes,
    },
  },
});

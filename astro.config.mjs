// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import svelte from '@astrojs/svelte';

// Pages are prerendered unless they opt out with `export const prerender = false`:
// lessons are static, demos and grading are server routes.
export default defineConfig({
  site: 'http://localhost:4321',
  adapter: node({ mode: 'standalone', bodySizeLimit: 64 * 1024 }),
  integrations: [svelte()],
  server: { port: 4321 },
  markdown: {
    shikiConfig: {
      themes: { light: 'github-light', dark: 'github-dark' },
    },
  },
});

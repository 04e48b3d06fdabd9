import { RuleTester } from 'eslint';
import path from 'node:path';
import { describe, it } from 'vitest';
import layers from '../../eslint-rules/layers.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });
const file = (relative: string) => path.resolve('src', relative);

tester.run('imports-point-down', layers.rules['imports-point-down'], {
  valid: [
    { filename: file('server/health.ts'), code: "import { x } from '../sessions/types';" },
    { filename: file('lab/wire.ts'), code: "import { x } from '../sessions/timer';" },
    {
      filename: file('course/predictions/types.ts'),
      code: "import { x } from '../../lab/demo-api';",
    },
    { filename: file('pages/index.astro.ts'), code: "import x from '../components/A.svelte';" },
    { filename: file('sessions/stores/memory.ts'), code: "import { y } from '../types';" },
    { filename: file('sessions/types.ts'), code: "import { y } from 'node:crypto';" },
  ],
  invalid: [
    {
      filename: file('sessions/stores/sqlite.ts'),
      code: "import { preparedFor } from '../../server/database';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: file('sessions/types.ts'),
      code: "export { CookieJar } from '../lab/cookie-jar';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: file('lab/demo.ts'),
      code: "import { app } from '../server/app-context';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: file('lab/demo.ts'),
      code: "import { lessons } from '../course/lessons';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: file('course/grading.ts'),
      code: "import { app } from '../server/app-context';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: file('server/health.ts'),
      code: "const page = await import('../components/Page.svelte');",
      errors: [{ messageId: 'upward' }],
    },
  ],
});

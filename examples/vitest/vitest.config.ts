import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.test.ts'],
    // One emulator for the whole run; each test file makes its own array in it (arrays on demand).
    globalSetup: ['./global-setup.ts'],
  },
});

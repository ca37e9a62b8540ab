import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20000,
    pool: 'forks',
    // The contract test: every API answer a test file receives is checked against openapi/vsp-rest-api.json.
    setupFiles: ['test/contract/setup.ts'],
  },
});

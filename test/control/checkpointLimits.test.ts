import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CHECKPOINTS } from '../../src/control/model.js';
import type { TestApp } from '../helpers.js';
import { EMU, startControl } from './support.js';

describe('checkpoint limits', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it(`at most ${MAX_CHECKPOINTS} checkpoints: the next name is 409 limitReached; replacing one or deleting one makes room`, async () => {
    t = await startControl();
    expect(MAX_CHECKPOINTS).toBe(32);
    for (let i = 0; i < MAX_CHECKPOINTS; i++) expect((await t.http.post(`${EMU}/checkpoints/cp${i}`)).status).toBe(201);
    const over = await t.http.post(`${EMU}/checkpoints/one-more`);
    expect(over.status).toBe(409);
    expect(over.body).toEqual({
      error: 'limitReached',
      message: 'at most 32 checkpoints are kept; delete one (DELETE /emulator/v1/checkpoints/{name}) or reuse a name',
    });
    expect((await t.http.post(`${EMU}/checkpoints/cp0`)).status).toBe(200);
    expect((await t.http.delete(`${EMU}/checkpoints/cp1`)).status).toBe(204);
    expect((await t.http.post(`${EMU}/checkpoints/one-more`)).status).toBe(201);
    expect((await t.http.get(`${EMU}/health`)).body.checkpoints).toBe(32);
  });

  it('names are 1-64 letters, digits, ".", "_", "-", starting with a letter or digit: anything else is 400', async () => {
    t = await startControl();
    expect((await t.http.post(`${EMU}/checkpoints/${'a'.repeat(64)}`)).status).toBe(201);
    expect((await t.http.post(`${EMU}/checkpoints/v1.2_before-split`)).status).toBe(201);
    for (const bad of ['a'.repeat(65), '.x', '-x', 'a%20b', 'a%2Fb', '%C3%A9t%C3%A9', 'a;b', 'a..%2F']) {
      const res = await t.http.post(`${EMU}/checkpoints/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body, bad).toEqual({
        error: 'badRequest', message: 'a checkpoint name is 1-64 characters: letters, digits, ".", "_", "-", starting with a letter or digit',
      });
    }
  });
});

import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { processWithProgress } from '../src/cli/commands/batch.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildItem,
  envelope,
  MARIA_RETURN,
  returnsCsv,
  signEnvelope,
} from './support/builders.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';

/** A stream that says whether it is a terminal and keeps what is drawn on it. */
function fakeTerminal(isTTY = true) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let drawn = '';
  stream.on('data', (chunk: Buffer) => (drawn += chunk.toString('utf8')));
  return { stream: stream as unknown as NodeJS.WriteStream, drawn: () => drawn };
}

for (const kind of TEST_DATABASES) {
  describe(`batch submit --wait progress on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    let submit: (n: number) => Promise<string>;

    beforeAll(async () => {
      ({ tg, done } = await openTestTaxgate(kind));
      await tg.applyAgreement(buildAgreement(), 'test');
      const { id, keys } = await addTestOfficial(tg);
      await tg.importTaxpayers(returnsCsv([MARIA_RETURN]), { actor: 'test' });
      let batches = 0;
      submit = async (n) => {
        const items = Array.from({ length: n }, (_, i) =>
          buildItem({ request_id: `p${batches}-${i}`, street: `${100 + i} Main St` }),
        );
        batches++;
        const jws = await signEnvelope(envelope('ice-2026', id, items), keys.privateKey);
        return (await tg.submitBatch(Buffer.from(jws))).batch_id;
      };
    });
    afterAll(() => done());

    it('draws a bar for validation, then one for matching, each to the last item', async () => {
      const id = await submit(12);
      const terminal = fakeTerminal();
      await processWithProgress(tg, id, {}, terminal.stream);
      const text = terminal.drawn();
      expect(text).toContain('validating');
      expect(text).toContain('matching');
      expect(text.indexOf('validating')).toBeLessThan(text.indexOf('matching'));
      expect(text).toContain('12/12 items');
      expect((await tg.operatorView(id)).state).toBe('matched');
    });

    it('draws nothing with --json or off a terminal, and still processes the batch', async () => {
      const asJson = await submit(3);
      const terminal = fakeTerminal();
      await processWithProgress(tg, asJson, { json: true }, terminal.stream);
      expect(terminal.drawn()).toBe('');
      expect((await tg.operatorView(asJson)).state).toBe('matched');
      const offTerminal = await submit(3);
      const pipe = fakeTerminal(false);
      await processWithProgress(tg, offTerminal, {}, pipe.stream);
      expect(pipe.drawn()).toBe('');
      expect((await tg.operatorView(offTerminal)).state).toBe('matched');
    });
  });
}

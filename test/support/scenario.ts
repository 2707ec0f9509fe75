import type { Taxgate } from '../../src/app.ts';
import type { Agreement } from '../../src/policy/agreement.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildOfficialKeys,
  envelope,
  returnsCsv,
  signEnvelope,
} from './builders.ts';
import { openTestTaxgate, type TestDatabaseKind } from './databases.ts';

/** Taxpayers every scenario knows: each is CONFIRMED when requested at this address. */
export const TAXPAYERS = {
  maria: {
    first_name: 'Maria',
    last_name: 'Garcia',
    street: '123 Main St',
    city: 'Houston',
    state: 'TX',
    zip: '77001',
  },
  jose: {
    first_name: 'Jose',
    last_name: 'Lopez',
    street: '9 Old Road',
    city: 'Dallas',
    state: 'TX',
    zip: '75201',
  },
  ana: {
    first_name: 'Ana',
    last_name: 'Ruiz',
    street: '5 Elm Ave',
    city: 'Miami',
    state: 'FL',
    zip: '33101',
  },
} as const;

export interface Scenario {
  tg: Taxgate;
  officialId: string;
  keys: Awaited<ReturnType<typeof buildOfficialKeys>>;
  /** Signs and submits a batch; returns its id (throws BatchRejectedError when refused). */
  submit(items: unknown[], agreementId?: string): Promise<string>;
  done(): Promise<void>;
}

/**
 * A fresh taxgate with agreement `ice-2026` (override any field), one agency-head
 * official, and the TAXPAYERS imported.
 */
export async function openScenario(
  kind: TestDatabaseKind,
  agreement: Partial<Agreement> = {},
): Promise<Scenario> {
  const { tg, done } = await openTestTaxgate(kind);
  await tg.applyAgreement(buildAgreement(agreement), 'test');
  const { id: officialId, keys } = await addTestOfficial(tg);
  await tg.importTaxpayers(
    returnsCsv(
      Object.values(TAXPAYERS).map((t, i) => [
        `00000000${i + 1}`,
        '2024',
        t.first_name,
        '',
        t.last_name,
        t.street,
        '',
        t.city,
        t.state,
        t.zip,
        '',
      ]),
    ),
    { actor: 'test' },
  );
  return {
    tg,
    officialId,
    keys,
    async submit(items, agreementId = 'ice-2026') {
      const jws = await signEnvelope(envelope(agreementId, officialId, items), keys.privateKey);
      return (await tg.submitBatch(Buffer.from(jws))).batch_id;
    },
    done,
  };
}

import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { makeClientAssertion } from '../src/auth/client-assertion.ts';
import { buildServer } from '../src/server/server.ts';
import {
  buildAgreement,
  buildItem,
  buildOfficialKeys,
  envelope,
  signEnvelope,
} from './support/builders.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';

for (const kind of TEST_DATABASES) {
  describe(`HTTP API on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    let app: FastifyInstance;
    let official: { id: string; keys: Awaited<ReturnType<typeof buildOfficialKeys>> };
    let otherAgency: { id: string; keys: Awaited<ReturnType<typeof buildOfficialKeys>> };
    const operator = () => ({
      authorization: `Bearer ${tg.operatorToken}`,
      'taxgate-actor': 'tester',
    });

    beforeAll(async () => {
      ({ tg, done } = await openTestTaxgate(kind));
      tg.config.bodyLimitBytes = 64 * 1024;
      app = await buildServer(tg);
      // Tests here re-request the same subjects: the window across batches is tested in
      // agreement-v2.int.test.ts.
      await tg.applyAgreement(buildAgreement({ duplicate_window_days: 0 }), 'test');
      await tg.applyAgreement(
        buildAgreement({ id: 'other', requesting_agency: 'Other Agency' }),
        'test',
      );
      const keys = await buildOfficialKeys();
      official = {
        keys,
        ...(await tg.addOfficial(
          {
            agreement_id: 'ice-2026',
            name: 'Head',
            role: 'agency_head',
            public_jwk: keys.publicJwk,
          },
          'test',
        )),
      };
      const otherKeys = await buildOfficialKeys();
      otherAgency = {
        keys: otherKeys,
        ...(await tg.addOfficial(
          {
            agreement_id: 'other',
            name: 'Other',
            role: 'agency_head',
            public_jwk: otherKeys.publicJwk,
          },
          'test',
        )),
      };
    });
    afterAll(async () => {
      await app.close();
      await done();
    });

    const submit = async (items: unknown[]) => {
      const jws = await signEnvelope(
        envelope('ice-2026', official.id, items),
        official.keys.privateKey,
      );
      return app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester()) },
        payload: jws,
      });
    };
    async function asRequester(who = official) {
      return {
        authorization: `Bearer ${await makeClientAssertion(who.id, who.keys.privateKey)}`,
      };
    }

    it('answers health and publishes OpenAPI 3.1 and a docs page', async () => {
      expect((await app.inject('/health')).json()).toEqual({ status: 'ok', database: kind });
      const spec = (await app.inject('/openapi.json')).json();
      expect(spec.openapi).toBe('3.1.0');
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining([
          '/v1/batches',
          '/v1/batches/{id}',
          '/v1/batches/{id}/results',
          '/v1/operator/batches/{id}/approve',
        ]),
      );
      const docs = await app.inject('/docs/');
      expect(docs.statusCode).toBe(200);
      expect(docs.body).toMatch(/swagger/i);
    });

    it('accepts a signed batch (202), then the same envelope again as the same batch (200)', async () => {
      const jws = await signEnvelope(
        envelope('ice-2026', official.id, [buildItem()]),
        official.keys.privateKey,
      );
      const first = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester()) },
        payload: jws,
      });
      expect(first.statusCode).toBe(202);
      const again = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester()) },
        payload: jws,
      });
      expect(again.statusCode).toBe(200);
      expect(again.json().batch_id).toBe(first.json().batch_id);
    });

    it('accepts a detached signature over the JSON envelope', async () => {
      const env = envelope('ice-2026', official.id, [buildItem()]);
      const jws = await signEnvelope(env, official.keys.privateKey);
      const [h, , s] = jws.split('.');
      const res = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: {
          'content-type': 'application/json',
          'taxgate-signature': `${h}..${s}`,
          ...(await asRequester()),
        },
        payload: JSON.stringify(env),
      });
      expect(res.statusCode).toBe(202);
    });

    it('refuses with one error shape and a specific code', async () => {
      const garbage = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester()) },
        payload: 'not a jws',
      });
      expect(garbage.statusCode).toBe(422);
      expect(garbage.json()).toMatchObject({
        error: { code: 'BATCH_MALFORMED', details: { batch_id: expect.stringMatching(/^bat_/) } },
      });
      const unsigned = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/json', ...(await asRequester()) },
        payload: JSON.stringify(envelope('ice-2026', official.id, [])),
      });
      expect(unsigned.json().error.code).toBe('BATCH_UNSIGNED');
      const wrongKey = await signEnvelope(
        envelope('ice-2026', official.id, [buildItem()]),
        otherAgency.keys.privateKey,
      );
      const forged = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester()) },
        payload: wrongKey,
      });
      expect(forged.json().error.code).toBe('BATCH_SIGNATURE_INVALID');
      const crossAgreement = await signEnvelope(
        envelope('ice-2026', otherAgency.id, [buildItem()]),
        otherAgency.keys.privateKey,
      );
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/v1/batches',
            headers: { 'content-type': 'application/jose', ...(await asRequester()) },
            payload: crossAgreement,
          })
        ).json().error.code,
      ).toBe('SIGNER_NOT_IN_AGREEMENT');
      expect((await app.inject('/v1/nowhere')).json()).toMatchObject({
        error: { code: 'ROUTE_NOT_FOUND' },
      });
    });

    it('refuses anonymous submissions unread, and a client of another agency', async () => {
      const jws = await signEnvelope(
        envelope('ice-2026', official.id, [buildItem()]),
        official.keys.privateKey,
      );
      const anonymous = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose' },
        payload: jws,
      });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBe('AUTHENTICATION_REQUIRED');
      const foreign = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester(otherAgency)) },
        payload: jws,
      });
      expect(foreign.statusCode).toBe(422);
      expect(foreign.json().error.code).toBe('SUBMITTER_NOT_OF_AGENCY');
      // A refused batch is filed under the agency that sent it, which can look it up.
      const refusedId = foreign.json().error.details.batch_id;
      const seen = await app.inject({
        url: `/v1/batches/${refusedId}`,
        headers: await asRequester(otherAgency),
      });
      expect(seen.json()).toMatchObject({
        state: 'rejected',
        rejection_code: 'SUBMITTER_NOT_OF_AGENCY',
      });
      const operatorSubmit = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...operator() },
        payload: jws,
      });
      expect(operatorSubmit.statusCode).toBe(202);
    });

    it('takes a client assertion once: a replay, or one without a jti, is refused', async () => {
      const { batch_id } = (await submit([buildItem({ request_id: 'replayed' })])).json();
      const headers = await asRequester();
      expect((await app.inject({ url: `/v1/batches/${batch_id}`, headers })).statusCode).toBe(200);
      const again = await app.inject({ url: `/v1/batches/${batch_id}`, headers });
      expect(again.statusCode).toBe(401);
      expect(again.json().error.code).toBe('CLIENT_ASSERTION_REPLAYED');
      const iat = Math.floor(Date.now() / 1000);
      const noJti = await new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer(official.id)
        .setSubject(official.id)
        .setAudience('taxgate')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(official.keys.privateKey);
      const refused = await app.inject({
        url: `/v1/batches/${batch_id}`,
        headers: { authorization: `Bearer ${noJti}` },
      });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('CLIENT_ASSERTION_INVALID');
      // Used assertions are kept only until they expire.
      await tg.db
        .insertInto('client_assertions_used')
        .values({
          official_id: official.id,
          jti: 'long-gone',
          expires_at: new Date(Date.now() - 1000),
        })
        .execute();
      await app.inject({ url: `/v1/batches/${batch_id}`, headers: await asRequester() });
      const kept = await tg.db
        .selectFrom('client_assertions_used')
        .select('jti')
        .where('jti', '=', 'long-gone')
        .execute();
      expect(kept).toEqual([]);
    });

    it('refuses an oversized body with 413 before reading it', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/batches',
        headers: { 'content-type': 'application/jose', ...(await asRequester()) },
        payload: 'a'.repeat(65 * 1024),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('shows a batch only to its own agency, and only with a valid client assertion', async () => {
      const { batch_id } = (await submit([buildItem({ request_id: 'only-mine' })])).json();
      expect((await app.inject(`/v1/batches/${batch_id}`)).statusCode).toBe(401);
      expect(
        (
          await app.inject({
            url: `/v1/batches/${batch_id}`,
            headers: { authorization: 'Bearer nonsense' },
          })
        ).json().error.code,
      ).toBe('CLIENT_ASSERTION_INVALID');
      const mine = await app.inject({
        url: `/v1/batches/${batch_id}`,
        headers: await asRequester(),
      });
      expect(mine.statusCode).toBe(200);
      expect(mine.json()).toMatchObject({ batch_id, state: 'received', item_count: 1 });
      const theirs = await app.inject({
        url: `/v1/batches/${batch_id}`,
        headers: await asRequester(otherAgency),
      });
      expect(theirs.statusCode).toBe(404);
    });

    it('releases through the operator routes and serves signed results as JSON and CSV', async () => {
      const { batch_id } = (
        await submit([
          buildItem({ request_id: 'r1' }),
          buildItem({ request_id: 'r2', street: '12345' }),
        ])
      ).json();
      expect(
        (await app.inject({ method: 'POST', url: `/v1/operator/batches/${batch_id}/approve` }))
          .statusCode,
      ).toBe(401);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: `/v1/operator/batches/${batch_id}/approve`,
            headers: operator(),
          })
        ).json().error.code,
      ).toBe('BATCH_NOT_READY');
      await tg.drainQueue();
      const view = (
        await app.inject({ url: `/v1/operator/batches/${batch_id}`, headers: operator() })
      ).json();
      expect(view.items).toEqual([
        { request_id: 'r1', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE'] },
        { request_id: 'r2', outcome: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_ZIP_ONLY'] },
      ]);
      expect(
        (
          await app.inject({ url: `/v1/batches/${batch_id}/results`, headers: await asRequester() })
        ).json().error.code,
      ).toBe('RESULTS_NOT_RELEASED');
      expect(
        (
          await app.inject({
            method: 'POST',
            url: `/v1/operator/batches/${batch_id}/approve`,
            headers: operator(),
          })
        ).json(),
      ).toMatchObject({ state: 'released' });
      const json = await app.inject({
        url: `/v1/batches/${batch_id}/results`,
        headers: await asRequester(),
      });
      expect(json.json().document.items).toEqual([
        { request_id: 'r1', result: 'NOT_CONFIRMED', reasons: [] },
        { request_id: 'r2', result: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_ZIP_ONLY'] },
      ]);
      const csv = await app.inject({
        url: `/v1/batches/${batch_id}/results?format=csv`,
        headers: await asRequester(),
      });
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.body).toBe(
        'request_id,result,reasons\nr1,NOT_CONFIRMED,\nr2,REJECTED_INCOMPLETE,ADDRESS_ZIP_ONLY\n',
      );
      expect(
        (
          await app.inject({
            url: `/v1/batches/${batch_id}/results`,
            headers: await asRequester(otherAgency),
          })
        ).statusCode,
      ).toBe(404);
    });

    it('answers item routes with long request ids in the one error shape', async () => {
      const res = await app.inject({
        url: `/v1/operator/batches/bat_missing/items/${'r'.repeat(150)}/explanation`,
        headers: operator(),
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('BATCH_NOT_FOUND');
    });

    it('applies agreements and registers officials through the admin routes', async () => {
      const put = await app.inject({
        method: 'PUT',
        url: '/v1/admin/agreements',
        headers: operator(),
        payload: buildAgreement({ id: 'via-api' }),
      });
      expect(put.json()).toEqual({ id: 'via-api', version: 1, changed: true });
      const bad = await app.inject({
        method: 'PUT',
        url: '/v1/admin/agreements',
        headers: operator(),
        payload: { id: 'x' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('AGREEMENT_INVALID');
      const keys = await buildOfficialKeys();
      const added = await app.inject({
        method: 'POST',
        url: '/v1/admin/officials',
        headers: operator(),
        payload: {
          agreement_id: 'via-api',
          name: 'N',
          role: 'agency_head',
          public_jwk: keys.publicJwk,
        },
      });
      expect(added.statusCode).toBe(201);
      const priv = await app.inject({
        method: 'POST',
        url: '/v1/admin/officials',
        headers: operator(),
        payload: {
          agreement_id: 'via-api',
          name: 'N',
          role: 'agency_head',
          public_jwk: keys.privateJwk,
        },
      });
      expect(priv.json().error.code).toBe('KEY_IS_PRIVATE');
    });
  });
}

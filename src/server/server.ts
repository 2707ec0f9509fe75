import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import type { Taxgate } from '../app.ts';
import { resultsToCsv } from '../disclosure/result-csv.ts';
import { InvalidInputError } from '../errors.ts';
import type { QueueWorker } from '../intake/worker.ts';
import { requireOperator, requireRequester, requireSubmitter, type Submitter } from './auth.ts';
import { errorSchema, handleError } from './errors.ts';
import { registerLedgerRoutes } from './ledger-routes.ts';
import { registerReportingRoutes } from './reporting-routes.ts';
import {
  batchIdParams,
  batchStatusSchema,
  operatorViewSchema,
  resultsSchema,
  submitResultSchema,
} from './schemas.ts';

export interface ServerOptions {
  /** Background queue worker to wake after each submission. */
  worker?: QueueWorker;
  logger?: boolean | { level: string };
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const BATCH_TYPES = ['application/jose', 'application/jose+json', 'application/json'];

/**
 * The HTTP API (docs/api.md): a thin shell over the Taxgate object. Routes are
 * tested in-process with `inject`.
 * @example const app = await buildServer(tg); await app.listen({ port: 8620 })
 */
export async function buildServer(tg: Taxgate, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Logs go to stderr: stdout is for a command's own output (serve --json).
    logger: opts.logger
      ? { ...(typeof opts.logger === 'object' ? opts.logger : {}), stream: process.stderr }
      : false,
    bodyLimit: tg.config.bodyLimitBytes,
    // URLs carry ids only; request bodies are never logged.
    requestIdHeader: false,
    // Request ids may be up to 200 characters (docs/formats.md#request-item).
    routerOptions: { maxParamLength: 256 },
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: `no route ${req.method} ${req.url.split('?')[0]}`,
      },
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'taxgate API',
        version: '1',
        description:
          'Confirm-only verification: signed batches in, signed result codes out. See docs/api.md.',
      },
      components: {
        securitySchemes: {
          clientAssertion: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT (EdDSA client assertion)',
          },
          operatorToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'operator token from the data folder',
          },
          auditorToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'auditor token from the data folder: the ledger routes only',
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness and database reachability',
        tags: ['health'],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, database: { type: 'string' } },
          },
        },
      },
    },
    async () => {
      await sql`select 1`.execute(tg.db);
      return { status: 'ok', database: tg.target.kind };
    },
  );

  app.get(
    '/v1/keys',
    {
      schema: {
        summary: 'Public key(s) that sign result documents (JWKS)',
        tags: ['requester'],
        response: {
          200: {
            type: 'object',
            properties: {
              keys: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
        },
      },
    },
    async () => ({ keys: [tg.resultPublicJwk] }),
  );

  // Batches arrive as raw bytes: the signature covers exact bytes, and the body
  // limit applies before any parsing.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(BATCH_TYPES, { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    const submitters = new WeakMap<FastifyRequest, Submitter>();
    scope.post(
      '/v1/batches',
      {
        // Authenticate before the body is read.
        onRequest: async (req) => {
          submitters.set(req, await requireSubmitter(tg, req));
        },
        schema: {
          summary: 'Submit a signed batch',
          description:
            'Body: a compact JWS (application/jose), a flattened JWS (application/jose+json), or the JSON envelope with a detached signature in the Taxgate-Signature header. 202 when accepted, 200 when the same envelope was accepted before, 422 with a batch rejection code otherwise.',
          tags: ['requester'],
          security: [{ clientAssertion: [] }, { operatorToken: [] }],
          response: {
            200: submitResultSchema,
            202: submitResultSchema,
            ...errors(400, 401, 413, 415, 422),
          },
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer | undefined;
        if (!body || body.length === 0)
          throw new InvalidInputError('BODY_EMPTY', 'the request has no body');
        const detached = req.headers['taxgate-signature'];
        const submitter = submitters.get(req)!;
        const result = await tg.submitBatch(body, {
          ...(typeof detached === 'string' ? { detachedSignature: detached } : {}),
          ...(submitter.kind === 'requester' ? { requester: submitter.requester } : {}),
        });
        opts.worker?.wake();
        return reply.status(result.duplicate ? 200 : 202).send(result);
      },
    );
  });

  app.get(
    '/v1/batches/:id',
    {
      schema: {
        summary: 'Status of one of your batches',
        tags: ['requester'],
        security: [{ clientAssertion: [] }],
        params: batchIdParams,
        response: { 200: batchStatusSchema, ...errors(401, 404) },
      },
    },
    async (req) => {
      const requester = await requireRequester(tg, req);
      return tg.batchStatus((req.params as { id: string }).id, requester);
    },
  );

  const sendResults = async (
    req: FastifyRequest,
    reply: FastifyReply,
    results: Awaited<ReturnType<Taxgate['results']>>,
  ) => {
    const wantsCsv =
      (req.query as { format?: string }).format === 'csv' ||
      (req.headers.accept ?? '').includes('text/csv');
    if (wantsCsv) return reply.type('text/csv; charset=utf-8').send(resultsToCsv(results.document));
    return reply.send(results);
  };
  const resultsQuery = {
    type: 'object',
    properties: { format: { type: 'string', enum: ['json', 'csv'] } },
  } as const;

  app.get(
    '/v1/batches/:id/results',
    {
      schema: {
        summary: 'The released, signed result document of one of your batches',
        tags: ['requester'],
        security: [{ clientAssertion: [] }],
        params: batchIdParams,
        querystring: resultsQuery,
        response: { 200: resultsSchema, ...errors(401, 404, 409) },
      },
    },
    async (req, reply) => {
      const requester = await requireRequester(tg, req);
      const id = (req.params as { id: string }).id;
      return sendResults(
        req,
        reply,
        await tg.results(id, `official:${requester.officialId}`, requester),
      );
    },
  );

  app.get(
    '/v1/operator/batches/:id',
    {
      schema: {
        summary: 'Operator view: every item with its proposed outcome and reasons',
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        response: { 200: operatorViewSchema, ...errors(401, 404) },
      },
    },
    async (req) => {
      requireOperator(tg, req);
      return tg.operatorView((req.params as { id: string }).id);
    },
  );

  app.post(
    '/v1/operator/batches/:id/approve',
    {
      schema: {
        summary: 'Approve a matched batch; the last of the required approvals releases it',
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              batch_id: { type: 'string' },
              state: { type: 'string', enum: ['released', 'matched'] },
              approvals: { type: 'integer' },
              approvals_required: { type: 'integer' },
              released_at: { type: ['string', 'null'] },
            },
          },
          ...errors(401, 404, 409),
        },
      },
    },
    async (req) => tg.approve((req.params as { id: string }).id, requireOperator(tg, req)),
  );

  app.get(
    '/v1/operator/batches/:id/results',
    {
      schema: {
        summary: 'The released result document (operator copy)',
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        querystring: resultsQuery,
        response: { 200: resultsSchema, ...errors(401, 404, 409) },
      },
    },
    async (req, reply) => {
      const actor = requireOperator(tg, req);
      return sendResults(req, reply, await tg.results((req.params as { id: string }).id, actor));
    },
  );

  const itemParams = {
    type: 'object',
    required: ['id', 'request_id'],
    properties: {
      id: { type: 'string', maxLength: 64 },
      request_id: { type: 'string', maxLength: 200 },
    },
  } as const;

  app.post(
    '/v1/operator/batches/:id/items/:request_id/review',
    {
      schema: {
        summary: 'Decide an item the engine left for review',
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        params: itemParams,
        body: {
          type: 'object',
          required: ['decision'],
          properties: { decision: { type: 'string', enum: ['CONFIRMED', 'NOT_CONFIRMED'] } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              batch_id: { type: 'string' },
              request_id: { type: 'string' },
              outcome: { type: 'string' },
              batch_state: { type: 'string' },
            },
          },
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const { id, request_id } = req.params as { id: string; request_id: string };
      return tg.review(
        id,
        request_id,
        (req.body as { decision: 'CONFIRMED' | 'NOT_CONFIRMED' }).decision,
        actor,
      );
    },
  );

  app.get(
    '/v1/operator/batches/:id/items/:request_id/explanation',
    {
      schema: {
        summary: "An item's comparison vector and weights (recorded as viewed)",
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        params: itemParams,
        response: {
          200: {
            type: 'object',
            properties: {
              batch_id: { type: 'string' },
              request_id: { type: 'string' },
              outcome: { type: ['string', 'null'] },
              model_version: { type: 'string' },
              explanation: { type: 'object', additionalProperties: true },
            },
          },
          ...errors(401, 404),
        },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const { id, request_id } = req.params as { id: string; request_id: string };
      return tg.explain(id, request_id, actor);
    },
  );

  app.put(
    '/v1/admin/agreements',
    {
      schema: {
        summary: 'Apply an agreement (creates it or a new version)',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        body: { type: 'object', additionalProperties: true },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              version: { type: 'integer' },
              changed: { type: 'boolean' },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (req) => tg.applyAgreement(req.body, requireOperator(tg, req)),
  );

  app.post(
    '/v1/admin/officials',
    {
      schema: {
        summary: 'Register a signing official and its public key',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        body: {
          type: 'object',
          required: ['agreement_id', 'name', 'role', 'public_jwk'],
          properties: {
            agreement_id: { type: 'string' },
            name: { type: 'string' },
            role: { type: 'string' },
            public_jwk: { type: 'object', additionalProperties: true },
          },
        },
        response: {
          201: { type: 'object', properties: { id: { type: 'string' } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (req, reply) => {
      const actor = requireOperator(tg, req);
      const body = req.body as {
        agreement_id: string;
        name: string;
        role: string;
        public_jwk: unknown;
      };
      return reply.status(201).send(await tg.addOfficial(body, actor));
    },
  );

  registerLedgerRoutes(app, tg);
  registerReportingRoutes(app, tg);
  app.post(
    '/v1/operator/batches/:id/flags/clear',
    {
      schema: {
        summary: "Clear a batch's review flags (over-attestation) so that it can be released",
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        body: {
          type: 'object',
          required: ['note'],
          properties: { note: { type: 'string', maxLength: 2000 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              flags: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const { note } = req.body as { note: string };
      return {
        flags: await tg.clearReviewFlags((req.params as { id: string }).id, note, actor),
      };
    },
  );

  app.post(
    '/v1/admin/purge',
    {
      schema: {
        summary: 'Remove request text past retention (dry_run: only list, counts per batch)',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { dry_run: { type: 'boolean' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              dry_run: { type: 'boolean' },
              items: { type: 'integer' },
              batches: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    batch_id: { type: 'string' },
                    agreement_id: { type: 'string' },
                    released_at: { type: 'string' },
                    retention_days: { type: 'integer' },
                    items: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const dryRun = (req.body as { dry_run?: boolean } | undefined)?.dry_run === true;
      return tg.purge({ dryRun, actor });
    },
  );

  const recallSchema = { type: 'object', additionalProperties: true } as const;

  app.post(
    '/v1/admin/recalls',
    {
      schema: {
        summary:
          'List the disclosures made under a rule set or model version or in a period, and record one notice per recipient',
        description:
          'Body: exactly one of {rule_version} | {model_version} | {from, to} (YYYY-MM-DD), and dry_run (only list).',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        body: { type: 'object', additionalProperties: true },
        response: {
          200: { type: 'object', properties: { recalls: { type: 'array', items: recallSchema } } },
          ...errors(400, 401),
        },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const { dry_run, ...criteria } = (req.body ?? {}) as { dry_run?: unknown };
      return { recalls: await tg.recall(criteria, { dryRun: dry_run === true, actor }) };
    },
  );

  app.get(
    '/v1/admin/recalls/:id',
    {
      schema: {
        summary: 'A recorded recall: its notice and disposal certificate (digest)',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        response: { 200: recallSchema, ...errors(401, 404) },
      },
    },
    async (req) => {
      requireOperator(tg, req);
      return tg.getRecall((req.params as { id: string }).id);
    },
  );

  app.post(
    '/v1/admin/recalls/:id/certificate',
    {
      schema: {
        summary: "Record the recipient's disposal certificate for a recall",
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        body: {
          type: 'object',
          required: ['filename', 'certificate_base64'],
          properties: {
            filename: { type: 'string', maxLength: 200 },
            certificate_base64: { type: 'string' },
          },
        },
        response: { 200: recallSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const body = req.body as { filename: string; certificate_base64: string };
      return tg.certifyRecall(
        (req.params as { id: string }).id,
        { bytes: Buffer.from(body.certificate_base64, 'base64'), filename: body.filename },
        actor,
      );
    },
  );

  const keySchema = {
    type: 'object',
    properties: {
      thumbprint: { type: 'string' },
      added_at: { type: 'string' },
      added_by: { type: 'string' },
      retired_at: { type: ['string', 'null'] },
      revoked_at: { type: ['string', 'null'] },
      revocation_reason: { type: ['string', 'null'] },
    },
  } as const;

  app.get(
    '/v1/admin/officials/:id/keys',
    {
      schema: {
        summary: 'Every key of an official, retired and revoked ones included',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        response: {
          200: { type: 'object', properties: { keys: { type: 'array', items: keySchema } } },
          ...errors(401, 404),
        },
      },
    },
    async (req) => {
      requireOperator(tg, req);
      return { keys: await tg.officialKeys((req.params as { id: string }).id) };
    },
  );

  app.post(
    '/v1/admin/officials/:id/keys',
    {
      schema: {
        summary: "Rotate an official's key: the new key becomes current, the others are retired",
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        body: {
          type: 'object',
          required: ['public_jwk'],
          properties: { public_jwk: { type: 'object', additionalProperties: true } },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              official_id: { type: 'string' },
              thumbprint: { type: 'string' },
              retired: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const actor = requireOperator(tg, req);
      const { public_jwk } = req.body as { public_jwk: unknown };
      return reply
        .status(201)
        .send(await tg.rotateOfficialKey((req.params as { id: string }).id, public_jwk, actor));
    },
  );

  app.post(
    '/v1/admin/officials/:id/keys/:thumbprint/revoke',
    {
      schema: {
        summary: "Revoke one of an official's keys from a time (default now)",
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        params: {
          type: 'object',
          required: ['id', 'thumbprint'],
          properties: {
            id: { type: 'string', maxLength: 64 },
            thumbprint: { type: 'string', maxLength: 64 },
          },
        },
        body: { type: 'object', additionalProperties: true },
        response: { 200: keySchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      const { id, thumbprint } = req.params as { id: string; thumbprint: string };
      return tg.revokeOfficialKey(id, thumbprint, req.body, actor);
    },
  );

  const holdSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      scope: { type: 'string', enum: ['agreement', 'agency', 'subject'] },
      target: { type: ['string', 'null'] },
      subject_identifiers: { type: 'integer' },
      court_order: { type: 'string' },
      reason: { type: 'string' },
      placed_by: { type: 'string' },
      placed_at: { type: 'string' },
      lifted_by: { type: ['string', 'null'] },
      lifted_at: { type: ['string', 'null'] },
      lift_court_order: { type: ['string', 'null'] },
    },
  } as const;

  // The subject of a hold travels in the body only, never in a URL (docs/api.md#holds).
  app.post(
    '/v1/admin/holds',
    {
      schema: {
        summary: 'Suspend an agreement, an agency or a subject under a court order',
        description:
          'Body: {scope: "agreement", agreement_id} | {scope: "agency", agency} | {scope: "subject", subject: {first_name, last_name, street, zip | city + state} | {a_number}}, each with court_order and reason. Takes effect at once: new batches refused, items in flight SUSPENDED.',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        body: { type: 'object', additionalProperties: true },
        response: { 201: holdSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (req, reply) => {
      const actor = requireOperator(tg, req);
      return reply.status(201).send(await tg.placeHold(req.body, actor));
    },
  );

  app.get(
    '/v1/admin/holds',
    {
      schema: {
        summary: 'Active holds (all=true: lifted ones too)',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        querystring: { type: 'object', properties: { all: { type: 'boolean' } } },
        response: {
          200: { type: 'object', properties: { holds: { type: 'array', items: holdSchema } } },
          ...errors(401),
        },
      },
    },
    async (req) => {
      requireOperator(tg, req);
      const all = (req.query as { all?: boolean }).all === true;
      return { holds: await tg.listHolds({ includeLifted: all }) };
    },
  );

  app.post(
    '/v1/admin/holds/:id/resume',
    {
      schema: {
        summary: 'Lift a hold under the court order that ends it',
        tags: ['admin'],
        security: [{ operatorToken: [] }],
        params: batchIdParams,
        body: { type: 'object', additionalProperties: true },
        response: { 200: holdSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      return tg.liftHold((req.params as { id: string }).id, req.body, actor);
    },
  );

  return app;
}

import type { FastifyInstance } from 'fastify';
import type { Taxgate } from '../app.ts';
import { jctReportCsv, reportYear } from '../reporting/accounting.ts';
import { requireOperator } from './auth.ts';
import { errorSchema } from './errors.ts';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));

const accountingEntry = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['inspection', 'disclosure'] },
    at: { type: 'string', format: 'date-time' },
    requesting_agency: { type: ['string', 'null'] },
    agreement_id: { type: ['string', 'null'] },
    statute: { type: 'string' },
    reason: { type: 'string' },
    request_id: { type: ['string', 'null'] },
    batch_id: { type: 'string' },
    result: { type: ['string', 'null'] },
  },
} as const;

const statuteLine = {
  type: 'object',
  properties: {
    statute: { type: 'string' },
    requests: { type: 'integer' },
    inspections: { type: 'integer' },
  },
} as const;

/**
 * The operator's accounting routes (docs/api.md#accounting): a taxpayer's accounting
 * (the TIN goes in the body, never in a URL) and the yearly report to the Joint Committee
 * on Taxation. Both are recorded in the ledger.
 * @example registerReportingRoutes(app, tg)
 */
export function registerReportingRoutes(app: FastifyInstance, tg: Taxgate): void {
  app.post(
    '/v1/operator/accounting',
    {
      schema: {
        summary: "Every inspection and disclosure of one taxpayer's returns (recorded)",
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        body: {
          type: 'object',
          required: ['tin'],
          properties: { tin: { type: 'string', maxLength: 20 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              subject: { type: 'string', description: 'the keyed subject hash of the TIN' },
              entries: { type: 'array', items: accountingEntry },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (req) => {
      const actor = requireOperator(tg, req);
      return tg.accounting((req.body as { tin: string }).tin, actor);
    },
  );

  app.get(
    '/v1/operator/reports/jct',
    {
      schema: {
        summary: 'The yearly report to the Joint Committee on Taxation (JSON or CSV; recorded)',
        tags: ['operator'],
        security: [{ operatorToken: [] }],
        querystring: {
          type: 'object',
          required: ['year'],
          properties: {
            year: { type: 'string', pattern: '^[0-9]{4}$' },
            format: { type: 'string', enum: ['json', 'csv'] },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              format: { type: 'string' },
              year: { type: 'integer' },
              generated_at: { type: 'string' },
              agencies: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    requesting_agency: { type: 'string' },
                    batches: { type: 'integer' },
                    requests: { type: 'integer' },
                    inspections: { type: 'integer' },
                    disclosures: { type: 'integer' },
                    taxpayers_inspected: { type: 'integer' },
                    taxpayers_disclosed: { type: 'integer' },
                    statutes: { type: 'array', items: statuteLine },
                  },
                },
              },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (req, reply) => {
      const actor = requireOperator(tg, req);
      const q = req.query as { year: string; format?: string };
      const report = await tg.jctReport(reportYear(q.year), actor);
      if (q.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').send(jctReportCsv(report));
      }
      return report;
    },
  );
}

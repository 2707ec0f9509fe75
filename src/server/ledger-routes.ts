import type { FastifyInstance } from 'fastify';
import type { Taxgate } from '../app.ts';
import { NotFoundError } from '../errors.ts';
import { parseTilePath, TILE_WIDTH } from '../ledger/tiles.ts';
import { requireLedgerReader } from './auth.ts';
import { errorSchema } from './errors.ts';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, errorSchema]));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const size = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const hashList = {
  type: 'array',
  items: { type: 'string', description: '32-byte hash, base64' },
} as const;
const security: { [scheme: string]: string[] }[] = [
  { auditorToken: [] },
  { operatorToken: [] },
  { clientAssertion: [] },
];

/**
 * The ledger's read-only routes (docs/api.md#ledger, ADR 0008): the latest signed
 * checkpoint, C2SP tlog-tiles (hash tiles and entry bundles), and JSON inclusion and
 * consistency proofs. They carry hashes, counts and leaves only; leaves hold no taxpayer
 * data (docs/ledger.md), and are still limited to the operator and the auditor.
 * @example await registerLedgerRoutes(app, tg)
 */
export function registerLedgerRoutes(app: FastifyInstance, tg: Taxgate): void {
  const latest = async () => {
    const cp = await tg.ledger.checkpoint();
    if (!cp)
      throw new NotFoundError('CHECKPOINT_NOT_FOUND', 'the ledger is empty: no checkpoint yet');
    return cp;
  };

  app.get(
    '/ledger/checkpoint',
    {
      schema: {
        summary: 'The latest signed checkpoint (C2SP tlog-checkpoint, signed note; text/plain)',
        tags: ['ledger'],
        security,
        response: { 200: { type: 'string' }, ...errors(401, 404, 500) },
      },
    },
    async (req, reply) => {
      await requireLedgerReader(tg, req, 'hashes');
      const cp = await latest();
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(cp.note);
    },
  );

  app.get(
    '/ledger/key',
    {
      schema: {
        summary: 'The verifier key of the checkpoints (C2SP vkey); check it out of band',
        tags: ['ledger'],
        security,
        response: {
          200: {
            type: 'object',
            properties: { origin: { type: 'string' }, vkey: { type: 'string' } },
          },
          ...errors(401),
        },
      },
    },
    async (req) => {
      await requireLedgerReader(tg, req, 'hashes');
      return { origin: tg.ledger.origin, vkey: tg.ledger.vkey };
    },
  );

  app.get(
    '/ledger/tile/*',
    {
      schema: {
        summary:
          'A C2SP tlog-tiles hash tile tile/<L>/<N>[.p/<W>] or entry bundle tile/entries/<N>[.p/<W>] (application/octet-stream)',
        tags: ['ledger'],
        security,
        response: { ...errors(401, 403, 404, 500) },
      },
    },
    async (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      const tile = parseTilePath(path);
      await requireLedgerReader(tg, req, tile?.level === null ? 'entries' : 'hashes');
      if (!tile) {
        throw new NotFoundError(
          'TILE_NOT_FOUND',
          'not a C2SP tlog-tiles path (docs/api.md#ledger)',
        );
      }
      const bytes = await tg.ledger.tile(tile);
      return reply
        .type('application/octet-stream')
        .header(
          'cache-control',
          // A full tile never changes; a partial one is replaced by a wider one.
          tile.width === TILE_WIDTH ? 'private, max-age=31536000, immutable' : 'no-cache',
        )
        .send(Buffer.from(bytes));
    },
  );

  app.get(
    '/ledger/proof/inclusion',
    {
      schema: {
        summary: 'RFC 9162 inclusion proof of entry `index` in the tree of `size` entries',
        description: 'Without `size`, the latest checkpoint is used and returned with the proof.',
        tags: ['ledger'],
        security,
        querystring: {
          type: 'object',
          required: ['index'],
          properties: { index: size, size },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            required: ['index', 'size', 'leaf_hash', 'proof'],
            properties: {
              index: { type: 'integer' },
              size: { type: 'integer' },
              leaf_hash: { type: 'string' },
              proof: hashList,
              checkpoint: { type: 'string' },
            },
          },
          ...errors(400, 401, 404, 500),
        },
      },
    },
    async (req) => {
      await requireLedgerReader(tg, req, 'hashes');
      const q = req.query as { index: number; size?: number };
      const cp = q.size === undefined ? await latest() : null;
      const p = await tg.ledger.inclusion(q.index, q.size ?? cp!.size);
      return {
        index: p.index,
        size: p.size,
        leaf_hash: b64(p.leafHash),
        proof: p.proof.map(b64),
        ...(cp ? { checkpoint: cp.note } : {}),
      };
    },
  );

  app.get(
    '/ledger/proof/consistency',
    {
      schema: {
        summary: 'RFC 9162 consistency proof from the tree of `from` entries to that of `to`',
        description:
          'Without `to`, the latest checkpoint is used and returned with the proof. Check the proof against the roots of two signed checkpoints.',
        tags: ['ledger'],
        security,
        querystring: {
          type: 'object',
          required: ['from'],
          properties: { from: size, to: size },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            required: ['from', 'to', 'proof'],
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              proof: hashList,
              checkpoint: { type: 'string' },
            },
          },
          ...errors(400, 401, 404, 500),
        },
      },
    },
    async (req) => {
      await requireLedgerReader(tg, req, 'hashes');
      const q = req.query as { from: number; to?: number };
      const cp = q.to === undefined ? await latest() : null;
      const p = await tg.ledger.consistency(q.from, q.to ?? cp!.size);
      return {
        from: p.from,
        to: p.to,
        proof: p.proof.map(b64),
        ...(cp ? { checkpoint: cp.note } : {}),
      };
    },
  );
}

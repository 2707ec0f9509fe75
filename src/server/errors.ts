import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  AuthenticationError,
  BatchRejectedError,
  ConflictError,
  DataFolderBusyError,
  ForbiddenError,
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  TaxgateError,
} from '../errors.ts';

/** The one JSON shape of every error response (docs/api.md#errors). */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The HTTP status of each kind of error: the only place that decides it. */
export function httpStatusFor(err: TaxgateError): number {
  if (err instanceof BatchRejectedError) return 422;
  if (err instanceof InvalidInputError) return 400;
  if (err instanceof AuthenticationError) return 401;
  if (err instanceof ForbiddenError) return err.code === 'BATCH_NOT_FOUND' ? 404 : 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof PayloadTooLargeError) return 413;
  if (err instanceof DataFolderBusyError) return 503;
  if (err instanceof IntegrityError) return 500;
  return 400;
}

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BODY_EMPTY'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'CONTENT_LENGTH_INVALID'],
  FST_ERR_VALIDATION: [400, 'REQUEST_INVALID'],
};

/**
 * Fastify's error handler: known errors keep their code and message; anything
 * unexpected becomes a 500 with no detail (it could echo input), logged by id.
 */
export function handleError(
  err: FastifyError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
): void {
  let status: number;
  let body: ErrorBody;
  if (err instanceof TaxgateError) {
    status = httpStatusFor(err);
    body = {
      error: {
        code: err.code,
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
      },
    };
  } else if ('code' in err && typeof err.code === 'string' && FASTIFY_CODES[err.code]) {
    const [s, code] = FASTIFY_CODES[err.code]!;
    status = s;
    body = { error: { code, message: err.message } };
  } else if ('validation' in err && err.validation) {
    status = 400;
    body = { error: { code: 'REQUEST_INVALID', message: err.message } };
  } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
    status = err.statusCode;
    body = { error: { code: 'REQUEST_INVALID', message: err.message } };
  } else {
    status = 500;
    // Log the stack by request id only; never the body, which may hold request data.
    req.log.error({ err: { type: err.name, stack: err.stack } }, 'unexpected error');
    body = {
      error: { code: 'INTERNAL_ERROR', message: `internal error; quote request id ${req.id}` },
    };
  }
  void reply.status(status).type('application/json').send(body);
}

/** JSON schema of the error body, for the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable error code (docs/errors.md)' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/**
 * Every error taxgate reports on purpose is a TaxgateError with a stable `code`
 * (documented in docs/errors.md). The HTTP status for each code is chosen in one
 * place, src/server/errors.ts; the CLI maps them to exit code 1.
 *
 * Messages say what to fix and never carry taxpayer data.
 *
 * @example throw new NotFoundError('BATCH_NOT_FOUND', `no batch ${id}`)
 */
export class TaxgateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is malformed or breaks a rule of the format. */
export class InvalidInputError extends TaxgateError {}

/** A signature, signer or credential did not check out. */
export class AuthenticationError extends TaxgateError {}

/** Authenticated, but not allowed to do this. */
export class ForbiddenError extends TaxgateError {}

/** The thing named does not exist (or is not visible to the caller). */
export class NotFoundError extends TaxgateError {}

/** The request is well-formed but conflicts with the current state. */
export class ConflictError extends TaxgateError {}

/** A whole batch was refused before any item was read (signature, signer, agreement). */
export class BatchRejectedError extends TaxgateError {
  constructor(
    code: string,
    message: string,
    readonly batchId: string,
  ) {
    super(code, message, { batch_id: batchId });
  }
}

/** The request body is larger than the configured limit. */
export class PayloadTooLargeError extends TaxgateError {}

/**
 * Our own records contradict themselves (the ledger and a signed checkpoint): refuse
 * rather than sign or serve anything more until someone looks.
 */
export class IntegrityError extends TaxgateError {}

/** The data folder is held by another process. */
export class DataFolderBusyError extends TaxgateError {}

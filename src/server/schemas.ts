/** JSON schemas of the API's bodies, shared by routes and the OpenAPI document. */
export const batchIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

export const batchStatusSchema = {
  type: 'object',
  required: ['batch_id', 'state', 'item_count', 'received_at'],
  properties: {
    batch_id: { type: 'string' },
    state: {
      type: 'string',
      enum: ['received', 'validated', 'in_review', 'matched', 'released', 'rejected'],
    },
    agreement_id: { type: ['string', 'null'] },
    item_count: { type: 'integer' },
    received_at: { type: 'string', format: 'date-time' },
    released_at: { type: ['string', 'null'], format: 'date-time' },
    rejection_code: { type: ['string', 'null'] },
  },
} as const;

export const operatorViewSchema = {
  type: 'object',
  required: [...batchStatusSchema.required, 'processing', 'items'],
  properties: {
    ...batchStatusSchema.properties,
    processing: {
      type: 'object',
      description: 'failed attempts to validate or match the batch; the queue retries it later',
      required: ['failed_attempts', 'last_error', 'retry_after'],
      properties: {
        failed_attempts: { type: 'integer' },
        last_error: { type: ['string', 'null'], description: 'error code of the last failure' },
        retry_after: { type: ['string', 'null'], format: 'date-time' },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['request_id', 'outcome', 'reasons'],
        properties: {
          request_id: { type: ['string', 'null'] },
          outcome: {
            type: ['string', 'null'],
            description: 'proposed outcome; null until decided',
          },
          reasons: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

export const submitResultSchema = {
  type: 'object',
  required: ['batch_id', 'state', 'duplicate'],
  properties: {
    batch_id: { type: 'string' },
    state: { type: 'string' },
    duplicate: {
      type: 'boolean',
      description: 'true when this signed envelope was submitted before',
    },
  },
} as const;

export const resultsSchema = {
  type: 'object',
  required: ['document', 'jws'],
  properties: {
    document: {
      type: 'object',
      description: 'the result document (docs/formats.md#result-document), decoded from jws',
      additionalProperties: true,
    },
    jws: { type: 'string', description: 'compact JWS (EdDSA) whose payload is the document' },
    log: {
      type: 'object',
      description:
        'receipt: the release entry, a signed checkpoint and the inclusion proof between them (docs/formats.md#receipt)',
      required: ['format', 'checkpoint', 'leaf_index', 'leaf', 'inclusion_proof'],
      properties: {
        format: { type: 'string', enum: ['taxgate-receipt/1'] },
        checkpoint: { type: 'string', description: 'C2SP signed checkpoint (signed note)' },
        leaf_index: { type: 'integer' },
        leaf: { type: 'string', description: 'the release entry, base64' },
        inclusion_proof: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

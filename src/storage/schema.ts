import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Row types of every table, as Kysely sees them. Each capability owns its tables' SQL. */
export interface Database {
  agreements: AgreementsTable;
  officials: OfficialsTable;
  batches: BatchesTable;
  batch_items: BatchItemsTable;
  item_outcomes: ItemOutcomesTable;
  taxpayer_returns: TaxpayerReturnsTable;
  events: EventsTable;
  taxpayer_features: TaxpayerFeaturesTable;
  taxpayer_blocking_keys: TaxpayerBlockingKeysTable;
  name_frequencies: NameFrequenciesTable;
  match_models: MatchModelsTable;
  evidence_pages: EvidencePagesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  inspections: InspectionsTable;
  inspection_requests: InspectionRequestsTable;
  disclosures: DisclosuresTable;
  client_assertions_used: ClientAssertionsUsedTable;
  batch_approvals: BatchApprovalsTable;
  holds: HoldsTable;
  item_subjects: ItemSubjectsTable;
  official_keys: OfficialKeysTable;
  review_flags: ReviewFlagsTable;
  batch_purges: BatchPurgesTable;
  recalls: RecallsTable;
}

/** One row per approver of a batch's release (migration 0008). */
export interface BatchApprovalsTable {
  batch_id: string;
  actor: string;
  approved_at: GeneratedTimestamp;
}

/** Client assertions already used, until they expire (migration 0007). */
export interface ClientAssertionsUsedTable {
  official_id: string;
  jti: string;
  expires_at: Date | string;
}

export interface TaxpayerFeaturesTable {
  tin: string;
  tax_year: number;
  features: JSONColumnType<Record<string, unknown>>;
}

export interface TaxpayerBlockingKeysTable {
  key: string;
  tin: string;
}

export interface NameFrequenciesTable {
  kind: string;
  value: string;
  frequency: number;
}

export interface MatchModelsTable {
  version: string;
  created_at: GeneratedTimestamp;
  parameters: JSONColumnType<Record<string, unknown>>;
  training: JSONColumnType<Record<string, unknown>>;
}

/** A match page's evidence, keyed by position (migration 0010, src/matching/evidence.ts). */
export interface EvidencePagesTable {
  batch_id: string;
  first_position: number;
  last_position: number;
  model_version: string;
  evidence: JSONColumnType<Record<string, Record<string, unknown>>>;
}

type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AgreementsTable {
  id: string;
  version: number;
  requesting_agency: string;
  document: JSONColumnType<Record<string, unknown>>;
  created_at: GeneratedTimestamp;
}

export interface OfficialsTable {
  id: string;
  agreement_id: string;
  name: string;
  role: string;
  public_jwk: JSONColumnType<Record<string, unknown>>;
  key_thumbprint: string;
  created_at: GeneratedTimestamp;
}

export interface BatchesTable {
  id: string;
  agreement_id: string | null;
  agreement_version: number | null;
  official_id: string | null;
  requesting_agency: string | null;
  submitted_at: NullableTimestamp;
  received_at: GeneratedTimestamp;
  state: string;
  rejection_code: string | null;
  envelope_sha256: string;
  item_count: number;
  rule_set_version: string;
  approved_by: string | null;
  released_at: NullableTimestamp;
  result_jws: string | null;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  /** Attempts to process the batch that failed (migration 0011). */
  failed_attempts: Generated<number>;
  /** The error code of the last failed attempt. */
  last_error: string | null;
  /** The queue leaves the batch alone until then (after a failed attempt). */
  retry_after: NullableTimestamp;
}

export interface BatchItemsTable {
  batch_id: string;
  position: number;
  request_id: string | null;
  /** The item's JSON text as received. */
  item: string;
}

export interface ItemOutcomesTable {
  batch_id: string;
  position: number;
  request_id: string | null;
  outcome: string;
  reasons: string[];
  rule_set_version: string;
  model_version: string | null;
  decided_at: GeneratedTimestamp;
}

export interface TaxpayerReturnsTable {
  tin: string;
  tax_year: number;
  first_name: string;
  middle_name: string;
  last_name: string;
  street: string;
  unit: string;
  city: string;
  state: string;
  zip: string;
  dob: string | null;
}

export interface EventsTable {
  seq: Generated<string>;
  occurred_at: GeneratedTimestamp;
  type: string;
  actor: string;
  batch_id: string | null;
  payload: JSONColumnType<Record<string, unknown>>;
  /** Position in the Merkle log (migration 0004): 0, 1, 2, … with no gaps. int8: pg reads it as text, PGlite as a number. */
  leaf_index: ColumnType<string | number, string, never>;
  /** The entry's stored bytes: RFC 8785 JCS of the leaf fields (src/ledger/leaf.ts). */
  leaf: ColumnType<Uint8Array, Uint8Array, never>;
  /** SHA-256(0x00 ‖ leaf), the RFC 9162 leaf hash. */
  leaf_hash: ColumnType<Uint8Array, Uint8Array, never>;
}

/** Every signed checkpoint (migration 0005), one per tree size. */
export interface LedgerCheckpointsTable {
  /** int8: pg reads it as text, PGlite as a number. */
  tree_size: ColumnType<string | number, string, never>;
  root_hash: ColumnType<Uint8Array, Uint8Array, never>;
  /** The signed note: checkpoint text, blank line, signature line(s). */
  note: ColumnType<string, string, never>;
  created_at: GeneratedTimestamp;
}

/** The accounting of §6103(p)(3)(A): one row per return inspected for a request item. */
export interface InspectionsTable {
  batch_id: string;
  position: number;
  /** subjectHash('tin:' + tin) with the data folder's subject key; never the TIN. */
  subject_hash: string;
  /** The engine's top candidate: the subject a CONFIRMED answer is about. */
  best: boolean;
}

/**
 * The request a page's inspections answered, one row per item that read returns
 * (migration 0009): its purpose outlives the request's purge.
 */
export interface InspectionRequestsTable {
  batch_id: string;
  position: number;
  request_id: string | null;
  statute: string;
  reason: string;
  inspected_at: GeneratedTimestamp;
}

/** Return information disclosed by a release: one row per confirmed subject. */
export interface DisclosuresTable {
  batch_id: string;
  position: number;
  subject_hash: string;
  result: string;
  disclosed_at: GeneratedTimestamp;
}

/** Suspensions and holds (migration 0006, src/policy/holds.ts). */
export interface HoldsTable {
  id: string;
  scope: 'agreement' | 'agency' | 'subject';
  target: string | null;
  subject_hashes: ColumnType<string[], string[] | undefined, string[]>;
  court_order: string;
  reason: string;
  placed_by: string;
  placed_at: GeneratedTimestamp;
  lifted_by: string | null;
  lifted_at: NullableTimestamp;
  lift_court_order: string | null;
}

/** Keyed hashes of the subjects of lawful items (migration 0006, src/policy/duplicate-window.ts). */
export interface ItemSubjectsTable {
  batch_id: string;
  position: number;
  subject_hash: string;
}

/** Every key of every signing official, kept forever (migration 0006, src/policy/official-keys.ts). */
export interface OfficialKeysTable {
  official_id: string;
  thumbprint: string;
  public_jwk: JSONColumnType<Record<string, unknown>>;
  added_by: string;
  added_at: GeneratedTimestamp;
  retired_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  revocation_reason: string | null;
}

/** Batches flagged for a person's review before release (migration 0006, src/policy/attestations.ts). */
export interface ReviewFlagsTable {
  batch_id: string;
  code: string;
  details: JSONColumnType<Record<string, unknown>>;
  raised_at: GeneratedTimestamp;
  cleared_by: string | null;
  cleared_at: NullableTimestamp;
  note: string | null;
}

/** Batches whose request text was removed after retention (migration 0006). */
export interface BatchPurgesTable {
  batch_id: string;
  purged_at: GeneratedTimestamp;
  purged_by: string;
  items: number;
}

/** Recalls and their disposal certificates (migration 0006, src/policy/recall.ts). */
export interface RecallsTable {
  id: string;
  agency: string;
  criteria: JSONColumnType<Record<string, unknown>>;
  notice: JSONColumnType<unknown[]>;
  disclosures: number;
  noticed_by: string;
  noticed_at: GeneratedTimestamp;
  certificate: Uint8Array | null;
  certificate_sha256: string | null;
  certificate_bytes: number | null;
  certificate_filename: string | null;
  certified_by: string | null;
  certified_at: NullableTimestamp;
}

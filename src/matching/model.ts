import { COMPARISON_VERSION } from './comparison.ts';
import type { ModelParameters } from './scoring.ts';

/**
 * The parameters used until `taxgate model train` estimates them from the store:
 * priors for pairs found by blocking, set by hand and documented in
 * docs/matching.md. u is high for the address levels because blocking already
 * put the pair at one address; the decision rules, not these numbers, keep
 * households and neighbours from confirming.
 */
export const DEFAULT_MODEL: ModelParameters = {
  version: 'fs-default-7',
  comparison: COMPARISON_VERSION,
  lambda: 0.05,
  m: {
    surname: { exact: 0.85, part: 0.1, typo: 0.04, different: 0.01 },
    given: {
      exact: 0.8,
      other_given: 0.05,
      nickname: 0.07,
      typo: 0.05,
      initial: 0.02,
      different: 0.01,
    },
    house: { exact: 0.99, different: 0.01 },
    street: { exact: 0.95, typo: 0.04, different: 0.01 },
    unit: {
      both_empty: 0.7,
      exact: 0.25,
      request_missing: 0.03,
      record_missing: 0.01,
      different: 0.01,
    },
    locality: {
      zip_exact: 0.9,
      city_exact: 0.08,
      zip_missing_city_different: 0.005,
      zip_different: 0.015,
    },
    dob: { exact: 0.1, missing: 0.89, different: 0.01 },
    suffix: { same: 0.01, missing: 0.985, conflict: 0.005 },
  },
  u: {
    surname: { exact: 0.15, part: 0.03, typo: 0.02, different: 0.8 },
    given: {
      exact: 0.02,
      other_given: 0.01,
      nickname: 0.005,
      typo: 0.004,
      initial: 0.01,
      different: 0.951,
    },
    house: { exact: 0.6, different: 0.4 },
    // A typo below exact (m/u 1.33 against 1.58): until fs-default-7 it was 0.02,
    // which weighed a misspelt street above the right one (keepAgreementOrder).
    street: { exact: 0.6, typo: 0.03, different: 0.37 },
    unit: {
      both_empty: 0.5,
      exact: 0.1,
      request_missing: 0.15,
      record_missing: 0.1,
      different: 0.15,
    },
    locality: {
      zip_exact: 0.8,
      city_exact: 0.05,
      zip_missing_city_different: 0.01,
      zip_different: 0.14,
    },
    dob: { exact: 0.001, missing: 0.9, different: 0.099 },
    suffix: { same: 0.01, missing: 0.98, conflict: 0.01 },
  },
};

/** fs-default-6's numbers: street `typo` weighed above `exact` (u 0.02 against 0.03 now). */
const FS_DEFAULT_6: ModelParameters = {
  ...DEFAULT_MODEL,
  version: 'fs-default-6',
  comparison: 4,
  u: { ...DEFAULT_MODEL.u, street: { exact: 0.6, typo: 0.02, different: 0.38 } },
};

/**
 * Earlier versions of the default, so that outcomes they scored can still be explained
 * and recalled by version. `fs-default-3` to `fs-default-6` have one another's numbers;
 * `fs-default-7` changed the street's u. They differ in the comparison their outcomes
 * were scored with (version 1 before ADR 0011,
 * version 2 before ADR 0012, version 3 before ADR 0013) and the decision rules of ADR
 * 0012 and ADR 0013.
 */
export const EARLIER_DEFAULT_MODELS: readonly ModelParameters[] = [
  { ...FS_DEFAULT_6, version: 'fs-default-3', comparison: 1 },
  { ...FS_DEFAULT_6, version: 'fs-default-4', comparison: 2 },
  { ...FS_DEFAULT_6, version: 'fs-default-5', comparison: 3 },
  FS_DEFAULT_6,
];

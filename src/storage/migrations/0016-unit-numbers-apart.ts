/**
 * A unit field of two numbers ('1 2': building 1, apartment 2) is no longer joined into
 * one identifier ('12'), as the street line already kept them apart (ADR 0014, the
 * sixth hunt). Addresses of record indexed before have the joined key: their features
 * are computed again (recomputeChangedFeatures), which rewrites only those.
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

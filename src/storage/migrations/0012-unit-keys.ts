/**
 * The street parser now keeps every secondary unit of a line and the words after the
 * street it cannot read ('BLDG 2 APT 4', 'FLAT 4'), and reads '½' as a fraction
 * (ADR 0012). Addresses of record indexed before kept one unit, or none, or the wrong
 * house number: their features are computed again (recomputeChangedFeatures).
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

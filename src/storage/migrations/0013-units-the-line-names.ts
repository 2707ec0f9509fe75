/**
 * Unit keys now keep the words of a street line before the house number and a
 * building's words before a unit ('UPSTAIRS, 12 MAIN ST', 'TOWER A APT 4'), read
 * 'APT-4' as apartment 4 and a point between digits as a decimal point, and take off
 * only the address's whole city, never one of its words ('APT D' in Washington, D.C.);
 * house numbers are keyed '7A' for '7-A' and '12' for '012' (ADR 0014); and a suffix
 * word alone in the middle name ('Junior', 'Filho') is a suffix (ADR 0013). Addresses
 * of record indexed before may have lost such a unit: their features are computed
 * again (recomputeChangedFeatures).
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

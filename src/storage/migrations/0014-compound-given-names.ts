/**
 * A first name of two joined by a hyphen ('Jean-Claude', 'Marie-Claire') is now marked
 * in the features as one compound name (`givenCompound`, ADR 0013, the sixth session),
 * so that it is not confirmed against its first part alone. Addresses of record
 * indexed before lack the mark: their features are computed again
 * (recomputeChangedFeatures), which rewrites only those with such a name.
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

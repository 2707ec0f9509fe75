/**
 * The sixth session's changes to how features are computed from a return, in one
 * recomputation rather than one each: a first name of two joined by a hyphen
 * ('Jean-Claude') is marked as one compound name (`givenCompound`, ADR 0013); a street
 * line that names a recipient ('c/o Mary Jones, 12 Main St', 'Attn:') is marked
 * (`careOf`, ADR 0014); and a unit field of two numbers ('1 2': building 1, apartment
 * 2) is no longer joined into one identifier ('12', ADR 0014). Addresses of record
 * indexed before are computed again (recomputeChangedFeatures), which rewrites only
 * those that changed.
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

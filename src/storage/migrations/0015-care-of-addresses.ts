/**
 * A street line that names a recipient ('c/o Mary Jones, 12 Main St', 'Attn:') is now
 * marked in the features (`careOf`, ADR 0014, the sixth hunt), so that a confirmation
 * there goes to review. Addresses of record indexed before lack the mark: their
 * features are computed again (recomputeChangedFeatures), which rewrites only those
 * with such a line.
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

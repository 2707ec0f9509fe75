/**
 * Two changes to how an address of record's features are computed (the eighth hunt):
 * the date of birth and middle name of a TIN's most recent return that has them where
 * the latest has none (engine.store.ts addressesOfRecord), and every dash read as a
 * hyphen, an underscore as a space, in house numbers and units ('Apt 1–2' had been
 * 'APT 12', us-address.ts tokenize). Addresses of record indexed before are computed
 * again (recomputeChangedFeatures), which rewrites only those that changed.
 */
export { recomputeChangedFeatures as up, forwardOnly as down } from './features-recomputed.ts';

import { foldText } from './text.ts';

/** A person's name reduced to the keys matching compares. */
export interface NameKeys {
  first_key: string;
  last_key: string;
}

/**
 * Folded given name and surname. The exact matcher compares them whole; the
 * matching engine issue brings particles, double surnames and nicknames.
 * @example nameKeys({ first_name: 'José', last_name: 'de la Cruz' }) // { first_key: 'JOSE', last_key: 'DE LA CRUZ' }
 */
export function nameKeys(n: { first_name: string; last_name: string }): NameKeys {
  return { first_key: foldText(n.first_name), last_key: foldText(n.last_name) };
}

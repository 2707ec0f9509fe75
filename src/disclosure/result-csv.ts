import { stringify } from 'csv-stringify/sync';
import type { ResultDocument } from './result-document.ts';

/**
 * The CSV export of a result document: one row per item, reasons joined by ';'.
 * The signed JWS remains the authoritative copy.
 * @example resultsToCsv(document) // 'request_id,result,reasons\nr1,CONFIRMED,\n'
 */
export function resultsToCsv(doc: ResultDocument): string {
  return stringify(
    doc.items.map((i) => [i.request_id ?? '', i.result, i.reasons.join(';')]),
    { header: true, columns: ['request_id', 'result', 'reasons'] },
  );
}

// Event and session data: nested objects flattened to dot keys, typed as Umami types them,
// with limits that answer 400 instead of failing the write.
import { MAX_JSON_DEPTH, tooDeep } from '../lib/json-depth.js';
import { DataType } from '../store/types.js';

export const LIMITS = {
  properties: 50,
  stringLength: 500,
  keyLength: 500,
  eventName: 50,
  /** DECIMAL(19,4) holds 15 digits before the point. */
  maxNumber: 1e15,
  /**
   * Dates every store holds (ClickHouse's DateTime64 is the narrowest: 1900-2299; PostgreSQL has
   * no year 0 and cannot read years past 9999 as written). A date-like value outside this range
   * is kept verbatim as a string value rather than refused or clamped.
   */
  minDate: Date.UTC(1900, 0, 1),
  maxDate: Date.UTC(2300, 0, 1),
};

export class DataLimitError extends Error {}

export interface DataValue {
  key: string;
  type: number;
  stringValue: string | null;
  numberValue: number | null;
  dateValue: Date | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function flattenData(data: Record<string, unknown>, field = 'data'): DataValue[] {
  const out: DataValue[] = [];
  const deep = tooDeep(data);
  if (deep !== null) throw new DataLimitError(`${field}: nested more than ${MAX_JSON_DEPTH} levels deep (at ${field}.${deep})`);
  // Flattened keys must name one value each: `{"a": {"": 1}}` and `{"a.": 1}` would both be `a.`.
  const seen = new Set<string>();
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, value] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (key.length > LIMITS.keyLength) throw new DataLimitError(`${field}: property name longer than ${LIMITS.keyLength} characters`);
      if (k === '') throw new DataLimitError(`${field}: empty property name${prefix ? ` inside ${field}.${prefix}` : ''}`);
      if (seen.has(key)) throw new DataLimitError(`${field}: property '${key}' is given twice once nested names are joined with dots`);
      seen.add(key);
      if (value === null || value === undefined) continue;
      if (isPlainObject(value)) {
        walk(value, key);
        continue;
      }
      if (out.length >= LIMITS.properties) throw new DataLimitError(`${field}: more than ${LIMITS.properties} properties`);
      out.push(typed(key, value, field));
    }
  };
  walk(data, '');
  return out;
}

function typed(key: string, value: unknown, field: string): DataValue {
  const row: DataValue = { key, type: DataType.string, stringValue: null, numberValue: null, dateValue: null };
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) >= LIMITS.maxNumber) {
      throw new DataLimitError(`${field}.${key}: number out of range (at most 15 digits before the decimal point)`);
    }
    const rounded = Number(value.toFixed(4));
    row.type = DataType.number;
    row.numberValue = rounded;
    row.stringValue = String(rounded);
    return row;
  }
  if (typeof value === 'boolean') {
    row.type = DataType.boolean;
    row.stringValue = String(value);
    return row;
  }
  let text: string;
  if (Array.isArray(value)) {
    row.type = DataType.array;
    text = JSON.stringify(value);
  } else {
    text = String(value);
    if (DATE.test(text)) {
      const date = new Date(text);
      const t = date.getTime();
      if (t >= LIMITS.minDate && t < LIMITS.maxDate) {
        row.type = DataType.date;
        row.dateValue = date;
      }
    }
  }
  if (text.length > LIMITS.stringLength) {
    throw new DataLimitError(`${field}.${key}: value longer than ${LIMITS.stringLength} characters`);
  }
  row.stringValue = text;
  return row;
}

// The state of an analytics page, kept in the URL so every view can be linked and reloaded:
// ?range=7d&tz=Europe/Zurich&unit=day&compare=prev&browser=eq.Chrome
import { useMemo } from 'react';
import { allowedUnits, parseRange, previousRange, type Range, type Unit } from './dates';
import { filterParams, filtersFromSearch, type ActiveFilter } from './dimensions';
import { getDefaultRange, getTimeZone } from './prefs';
import { useLocation } from './router';

export interface ViewParams {
  range: Range;
  tz: string;
  unit: Unit;
  compare: 'prev' | 'yoy' | 'off';
  filters: ActiveFilter[];
  /** startAt, endAt and filters: what every analytics endpoint takes. */
  api: Record<string, string | number>;
  prev: { startAt: number; endAt: number };
}

export function useViewParams(allTimeStart?: number): ViewParams {
  const { search } = useLocation();
  const key = search.toString();
  return useMemo(() => {
    const tz = search.get('tz') || getTimeZone();
    const range = parseRange(search.get('range') || getDefaultRange(), tz, Date.now(), allTimeStart);
    const units = allowedUnits(range.startAt, range.endAt);
    const asked = search.get('unit') as Unit | null;
    const unit = asked && units.includes(asked) ? asked : units.includes(range.unit) ? range.unit : units[0];
    const c = search.get('compare');
    const compare = c === 'yoy' || c === 'off' ? c : 'prev';
    const filters = filtersFromSearch(search);
    const prev = previousRange(range, compare === 'yoy' ? 'yoy' : 'prev', tz);
    return { range, tz, unit, compare, filters, prev, api: { startAt: range.startAt, endAt: range.endAt, ...filterParams(filters) } };
  }, [key, allTimeStart]);
}

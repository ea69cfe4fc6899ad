// Visitors by country on a world map (Natural Earth 110m from world-atlas, drawn with d3-geo).
import { useMemo } from 'react';
import { geoEqualEarth, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, Geometry } from 'geojson';
import { whereNumeric } from 'iso-3166-1';
import world from 'world-atlas/countries-110m.json';
import type { MetricRow } from '../lib/api';
import { countryName, formatNumber } from '../lib/format';

const W = 800;
const H = 400;

type Props = { name: string };

let shapes: { id: string; alpha2: string | null; d: string; name: string }[] | null = null;

function getShapes() {
  if (shapes) return shapes;
  const topo = world as unknown as Topology<{ countries: GeometryCollection<Props> }>;
  const fc = feature(topo, topo.objects.countries) as FeatureCollection<Geometry, Props>;
  fc.features = fc.features.filter((f) => f.properties?.name !== 'Antarctica');
  const projection = geoEqualEarth().fitSize([W, H], fc);
  const path = geoPath(projection);
  shapes = fc.features.map((f) => {
    const id = String(f.id ?? '');
    return { id, alpha2: whereNumeric(id.padStart(3, '0'))?.alpha2 ?? null, d: path(f) ?? '', name: f.properties?.name ?? id };
  });
  return shapes;
}

export default function WorldMap({ rows, onSelect }: { rows: MetricRow[]; onSelect?: (code: string) => void }) {
  const all = useMemo(getShapes, []);
  const byCode = new Map(rows.filter((r) => r.x).map((r) => [r.x.toUpperCase(), r.y]));
  const max = Math.max(1, ...byCode.values());
  return (
    <figure className="world-map-figure">
    <svg className="world-map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Map of visitors by country">
      {all.map((s) => {
        const v = s.alpha2 ? byCode.get(s.alpha2) ?? 0 : 0;
        const t = v ? 0.2 + 0.8 * (v / max) : 0;
        const label = `${s.alpha2 ? countryName(s.alpha2) : s.name}: ${formatNumber(v)} visitors`;
        return (
          <path
            key={s.id + s.name}
            d={s.d}
            className={v ? 'country has' : 'country'}
            style={v ? { fillOpacity: t } : undefined}
            onClick={v && s.alpha2 && onSelect ? () => onSelect(s.alpha2!) : undefined}
          >
            <title>{label}</title>
          </path>
        );
      })}
    </svg>
      {/* The bundled geo data is DB-IP Lite, licensed CC BY 4.0: attribution is required. */}
      <figcaption className="muted small">
        <a href="https://db-ip.com" target="_blank" rel="noreferrer">IP Geolocation by DB-IP</a>
      </figcaption>
    </figure>
  );
}

// The /api/send bodies the ingestion benchmarks send: 7 paths with a UTM query, 4 referrers, and
// every 10th hit a custom event with data.

const PATHS = ['/', '/pricing', '/docs/getting-started', '/blog/why-dashi', '/about', '/contact', '/docs/api'];
const REFERRERS = ['', 'https://www.google.com/', 'https://news.ycombinator.com/item?id=1', 'https://duckduckgo.com/'];

export function hitBody(website: string, i: number): { type: 'event'; payload: Record<string, unknown> } {
  const payload: Record<string, unknown> = {
    website,
    hostname: 'example.com',
    language: 'en-US',
    screen: i % 3 ? '1920x1080' : '390x844',
    url: `${PATHS[i % PATHS.length]}?utm_source=bench${i % 5}`,
    referrer: REFERRERS[i % REFERRERS.length],
    title: 'Dashi bench',
  };
  if (i % 10 === 0) Object.assign(payload, { name: 'signup', data: { plan: 'pro', seats: i % 7 } });
  return { type: 'event', payload };
}

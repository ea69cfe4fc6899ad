// The /api/send bodies the ingestion benchmarks send: 7 paths with a UTM query, 4 referrers, and
// every 10th hit a custom event with data; and the User-Agents and client IPs they come from.
import type autocannon from 'autocannon';

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

// ~300 distinct User-Agents, as a site's real traffic has: mostly cache hits after the first parse.
export function userAgents(): string[] {
  const list: string[] = [];
  for (let v = 100; v < 140; v++) {
    list.push(
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
      `Mozilla/5.0 (Linux; Android 14; Pixel ${v % 9}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Mobile Safari/537.36`,
      `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.0.0`,
      `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${v % 7} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${v % 7} Mobile/15E148 Safari/604.1`,
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${(v % 8) + 10}.1 Safari/605.1.15`,
    );
  }
  return [...new Set(list)];
}

export function randomIp(): string {
  // Public unicast space, so the geo lookup runs.
  const a = [8, 23, 31, 45, 51, 62, 77, 81, 89, 93, 104, 142, 151, 176, 185, 193, 203, 212][Math.floor(Math.random() * 18)];
  return `${a}.${(Math.random() * 256) | 0}.${(Math.random() * 256) | 0}.${1 + ((Math.random() * 254) | 0)}`;
}

/** Distinct /api/send requests for autocannon, each from its own client IP. */
export function sendRequests(website: string, count = 2000): autocannon.Request[] {
  const uas = userAgents();
  return Array.from({ length: count }, (_, i) => ({
    method: 'POST',
    path: '/api/send',
    headers: { 'content-type': 'application/json', 'user-agent': uas[i % uas.length], 'x-forwarded-for': randomIp() },
    body: JSON.stringify(hitBody(website, i)),
  }));
}

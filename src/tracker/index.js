// Dashi's tracker: pageviews (including SPA navigation), custom events and identify, posted to
// the collect endpoint. Configured by data-* attributes on its own <script> tag, as Umami's is.
// The server rewrites '/api/send' below when COLLECT_API_ENDPOINT is set.
(function (win) {
  const doc = win.document;
  const nav = win.navigator;
  const loc = win.location;
  const script = doc.currentScript;
  if (!script) return;

  const attr = (name) => script.getAttribute('data-' + name);
  const on = (name) => attr(name) === 'true';
  const website = attr('website-id');
  const tag = attr('tag') || undefined;
  const beforeSend = attr('before-send');
  const credentials = attr('fetch-credentials') || 'omit';
  const excludeSearch = on('exclude-search');
  const excludeHash = on('exclude-hash');
  const domains = (attr('domains') || '').split(',').map((d) => d.trim()).filter(Boolean);
  const host = (attr('host-url') || script.src.split('/').slice(0, -1).join('/')).replace(/\/$/, '');
  const endpoint = host + '/api/send';
  const screen = win.screen.width + 'x' + win.screen.height;

  let cache;
  let identity;
  let stopped;
  let started;

  const normalize = (raw) => {
    try {
      const u = new URL(raw, loc.href);
      if (excludeSearch) u.search = '';
      if (excludeHash) u.hash = '';
      return u.toString();
    } catch {
      return raw;
    }
  };

  let currentUrl = normalize(loc.href);
  let currentRef = doc.referrer.startsWith(loc.origin) ? '' : doc.referrer && normalize(doc.referrer);

  const optedOut = () => {
    try {
      if (win.localStorage.getItem('umami.disabled')) return true;
    } catch {
      /* storage blocked: not an opt-out */
    }
    const dnt = win.doNotTrack || nav.doNotTrack || nav.msDoNotTrack;
    return (
      stopped ||
      !website ||
      (domains.length && !domains.includes(loc.hostname)) ||
      (on('do-not-track') && (dnt == 1 || dnt === 'yes'))
    );
  };

  const payload = () => ({
    website,
    screen,
    language: nav.language,
    title: doc.title,
    hostname: loc.hostname,
    // Without the history hooks (auto-track off) the page may have moved on: read it live.
    url: started ? currentUrl : normalize(loc.href),
    referrer: currentRef,
    tag,
    id: identity,
  });

  const send = async (body, type = 'event') => {
    if (optedOut()) return;
    const hook = beforeSend && win[beforeSend];
    if (typeof hook === 'function') body = await hook(type, body);
    if (!body) return;
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        keepalive: true,
        credentials,
        headers: Object.assign({ 'Content-Type': 'application/json' }, cache && { 'x-umami-cache': cache }),
        body: JSON.stringify({ type, payload: body }),
      });
      const data = await res.json();
      if (data) {
        stopped = !!data.disabled;
        cache = data.cache || cache;
      }
    } catch {
      /* analytics must never break the page */
    }
  };

  const track = (name, data) => {
    if (typeof name === 'string') return send(Object.assign(payload(), { name, data }));
    if (typeof name === 'object') return send(Object.assign({}, name));
    if (typeof name === 'function') return send(name(payload()));
    return send(payload());
  };

  const identify = (id, data) => {
    if (typeof id === 'string') identity = id;
    else data = id;
    cache = '';
    return send(Object.assign(payload(), { data }), 'identify');
  };

  const navigated = (url) => {
    if (!url) return;
    const next = normalize(url.toString());
    if (next === currentUrl) return;
    currentRef = currentUrl;
    currentUrl = next;
    // Give the app time to update document.title.
    setTimeout(track, 300);
  };

  const onClick = (e) => {
    const target = e.target;
    if (!target.closest) return;
    const link = target.closest('a,button');
    const el = link || target;
    const name = el.getAttribute('data-umami-event');
    if (!name) return;
    const data = {};
    for (const a of el.attributes) {
      const m = a.name.match(/^data-umami-event-(.+)/);
      if (m) data[m[1]] = a.value;
    }
    const sameTab =
      link && link.tagName === 'A' && link.href && link.target !== '_blank' && !e.ctrlKey && !e.shiftKey && !e.metaKey && e.button !== 1;
    if (!sameTab) return track(name, data);
    // Leaving the page would cancel the request: send first, then follow the link.
    e.preventDefault();
    track(name, data).then(() => {
      (link.target === '_top' ? win.top.location : loc).href = link.href;
    });
  };

  const start = () => {
    if (started || doc.readyState !== 'complete') return;
    started = true;
    track();
    for (const method of ['pushState', 'replaceState']) {
      const original = win.history[method];
      win.history[method] = function (state, title, url) {
        navigated(url);
        return original.apply(this, arguments);
      };
    }
    win.addEventListener('popstate', () => navigated(loc.href));
    doc.addEventListener('click', onClick, true);
  };

  if (!win.umami) win.umami = { track, identify, getSession: () => ({ cache, website }) };

  if (attr('auto-track') !== 'false' && !optedOut()) {
    start();
    doc.addEventListener('readystatechange', start);
  }
})(window);

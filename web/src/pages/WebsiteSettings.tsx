// A website's settings: details, tracking code, allowed hostnames and refused hits, share link,
// reset and delete.
import { useEffect, useRef, useState } from 'react';
import { post, del, type Website } from '../lib/api';
import { basePath } from '../lib/env';
import { navigate } from '../lib/router';
import { clearCache, useApi } from '../lib/useApi';
import { WebsiteForm } from '../components/WebsiteForm';
import { formatNumber } from '../lib/format';
import { ActionForm, Confirm, CopyButton, Fetched, Field, FormButtons, FormError, Props, useAction } from '../components/ui';
import { DataRetention } from '../components/DataRetention';

export function trackingSnippet(website: Website, scriptName?: string | null): string {
  const origin = window.location.origin + basePath;
  const script = (scriptName?.split(',')[0] || 'script.js').replace(/^\//, '');
  return `<script defer src="${origin}/${script}" data-website-id="${website.id}"></script>`;
}

function randomShareId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '').slice(0, 16);
}

interface Refused {
  reasons: { hostname: number; missingHostname: number; bot: number; ignoredIp: number };
  since: string | null;
}

function AllowedHostnames({ website, onChange }: { website: Website; onChange: () => void }) {
  const current = (website.allowedHostnames ?? []).join('\n');
  const [text, setText] = useState(current);
  const [saved, setSaved] = useState(false);
  useEffect(() => setText(current), [current]);
  const save = useAction(async () => {
    setSaved(false);
    const list = text.split(/[\s,]+/).filter(Boolean);
    const updated = await post<Website>(`/websites/${website.id}`, { allowedHostnames: list });
    setText((updated.allowedHostnames ?? []).join('\n'));
    setSaved(true);
    clearCache();
    onChange();
  });
  return (
    <section className="card" aria-labelledby="hosts-h">
      <h2 id="hosts-h">Allowed hostnames</h2>
      <p>
        Hits from other hostnames are refused, so a copied tracking code cannot add to this website’s numbers. One per line; <code>*.example.com</code> matches every
        subdomain of example.com (list example.com too if it has pages). Leave empty to accept every hostname.
      </p>
      <ActionForm className="stack" onSubmit={save.run} aria-label="Allowed hostnames">
        <Field label="Hostnames">
          {(id) => <textarea id={id} rows={4} spellCheck={false} placeholder={website.domain || 'example.com'} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <FormError error={save.error} />
        <FormButtons submit="Save hostnames" busy={save.busy} />
      </ActionForm>
      {saved && <p role="status">Saved.</p>}
    </section>
  );
}

function RefusedHits({ website }: { website: Website }) {
  const res = useApi<Refused>(`/websites/${website.id}/refused`, undefined, { refreshMs: 30_000 });
  const { reload } = res;
  // After a reset or a new list, read the counts again (not on the first render: useApi just did).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else reload();
  }, [website.resetAt, website.allowedHostnames?.join(','), reload]);
  return (
    <section className="card" aria-labelledby="refused-h">
      <h2 id="refused-h">Refused hits</h2>
      <Fetched res={res}>
        {(data) => (
          <>
            <Props
              items={[
                ['Hostname not allowed', formatNumber(data.reasons.hostname)],
                ['No hostname', formatNumber(data.reasons.missingHostname)],
                ['Bots', formatNumber(data.reasons.bot)],
                ['Ignored IP addresses', formatNumber(data.reasons.ignoredIp)],
              ]}
            />
            <p className="muted small">{data.since ? `Counted since ${new Date(data.since).toLocaleString()}.` : 'No hit refused so far.'}</p>
          </>
        )}
      </Fetched>
    </section>
  );
}

export default function WebsiteSettings({ website, onChange }: { website: Website; onChange: () => void }) {
  const config = useApi<{ trackerScriptName?: string | null }>('/config');
  const [confirm, setConfirm] = useState<'reset' | 'delete' | null>(null);
  const [saved, setSaved] = useState(false);
  const [shareOn, setShareOn] = useState(!!website.shareId);
  useEffect(() => setShareOn(!!website.shareId), [website.shareId]);
  const share = useAction(async (on: boolean) => {
    setShareOn(on);
    try {
      await post(`/websites/${website.id}`, { shareId: on ? randomShareId() : null });
    } catch (e) {
      setShareOn(!on);
      throw e;
    }
    onChange();
  });
  const snippet = trackingSnippet(website, config.data?.trackerScriptName);
  const shareUrl = website.shareId ? `${window.location.origin}${basePath}/share/${website.shareId}` : '';
  return (
    <div className="stack settings">
      <section className="card" aria-labelledby="details-h">
        <h2 id="details-h">Details</h2>
        <WebsiteForm
          website={website}
          onSaved={() => {
            clearCache();
            setSaved(true);
            onChange();
          }}
        />
        {saved && <p role="status">Saved.</p>}
        <p className="muted small">
          Website ID: <code>{website.id}</code>
        </p>
      </section>
      <section className="card" aria-labelledby="code-h">
        <h2 id="code-h">Tracking code</h2>
        <p>Add this to the &lt;head&gt; of every page of your site.</p>
        <pre className="code" aria-label="Tracking code">
          <code>{snippet}</code>
        </pre>
        <CopyButton text={snippet} label="Copy tracking code" />
      </section>
      <AllowedHostnames website={website} onChange={onChange} />
      <RefusedHits website={website} />
      <section className="card" aria-labelledby="share-h">
        <h2 id="share-h">Share link</h2>
        <p>A share link lets anyone with the link see this website’s overview, without logging in.</p>
        <label className="check">
          <input type="checkbox" checked={shareOn} disabled={share.busy} onChange={(e) => share.run(e.target.checked)} />
          Enable share link
        </label>
        {shareUrl && (
          <div className="row wrap">
            <input aria-label="Share URL" readOnly value={shareUrl} className="grow" onFocus={(e) => e.target.select()} />
            <CopyButton text={shareUrl} label="Copy link" />
            <a className="btn" href={shareUrl} target="_blank" rel="noreferrer">
              Open
            </a>
          </div>
        )}
        <FormError error={share.error} />
      </section>
      <DataRetention website={website} onChange={onChange} />
      <section className="card danger-zone" aria-labelledby="data-h">
        <h2 id="data-h">Data</h2>
        <div className="row wrap">
          <button type="button" className="btn danger" onClick={() => setConfirm('reset')}>
            Reset data
          </button>
          <button type="button" className="btn danger" onClick={() => setConfirm('delete')}>
            Delete website
          </button>
        </div>
      </section>
      <Confirm
        open={confirm === 'reset'}
        title="Reset data"
        message={<p>All statistics of {website.name} will be deleted. The website and its tracking code stay. This cannot be undone.</p>}
        confirmLabel="Reset"
        danger
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await post(`/websites/${website.id}/reset`);
          clearCache();
          onChange();
        }}
      />
      <Confirm
        open={confirm === 'delete'}
        title="Delete website"
        message={<p>{website.name} and all its statistics will be deleted. This cannot be undone.</p>}
        confirmLabel="Delete"
        danger
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await del(`/websites/${website.id}`);
          clearCache();
          navigate('/websites');
        }}
      />
    </div>
  );
}

import { Link } from '../lib/router';

/** A session's short id, linking to its page (keeping the date range and filters). */
export function SessionLink({ websiteId, sessionId }: { websiteId: string; sessionId: string }) {
  return (
    <Link className="mono" to={`/websites/${websiteId}/sessions/${sessionId}${window.location.search}`}>
      {sessionId.slice(0, 8)}
    </Link>
  );
}

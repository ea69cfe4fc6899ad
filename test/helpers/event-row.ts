// A stored page view with every optional column null, for tests that write rows to a store directly.
import type { EventRow } from '../../src/store/types.js';

export function pageView(row: Pick<EventRow, 'eventId' | 'websiteId' | 'sessionId' | 'visitId' | 'createdAt' | 'urlPath'> & Partial<EventRow>): EventRow {
  return {
    eventType: 1, eventName: null, eventCategory: null, urlQuery: null, pageTitle: null, hostname: null,
    referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null,
    utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: null, os: null,
    device: null, screen: null, language: null, country: null, region: null, city: null, distinctId: null,
    ...row,
  };
}

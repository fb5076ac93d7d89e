// Links in notification e-mails: found in the HTML and the text, cleaned of tracking parameters,
// and never requested. Redirect wrappers that carry their target in a parameter are unwrapped by
// reading the parameter; opaque ones (no readable target) are ignored rather than followed.
import { decodeHtmlEntities } from '../parse-html-text.ts';

/** Query parameters that only track the click (LinkedIn, Xing, newsletters, ad networks). */
const TRACKING = /^(?:trk|trkemail|trkinfo|trackingid|tracking_id|lipi|midtoken|midsig|otptoken|eid|loid|refid|lici|li_fat_id|ssid|sc_[a-z]+|utm_[a-z_]+|mc_cid|mc_eid|fbclid|gclid|dclid|msclkid|_hsenc|_hsmi|mkt_tok|cce|ref|ref_src|campaign_id|xing_share)$/i;

export function stripTrackingParams(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) if (TRACKING.test(key)) u.searchParams.delete(key);
    u.hash = '';
    return u.toString().replace(/\?$/, '');
  } catch {
    return url;
  }
}

/** Every http(s) link in the HTML hrefs and the text, in order, with anchor text when known. */
export function linksIn(parsed: { html: string | null; text: string }): Array<{ url: string; label: string }> {
  const out: Array<{ url: string; label: string }> = [];
  const html = parsed.html ?? '';
  for (const m of html.matchAll(/<a\b[^>]*?\bhref\s*=\s*(["'])(https?:\/\/[^"']+)\1[^>]*>([\s\S]{0,2000}?)<\/a>/gi)) {
    const label = decodeHtmlEntities(m[3]!.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    out.push({ url: decodeHtmlEntities(m[2]!), label });
  }
  for (const m of parsed.text.matchAll(/https?:\/\/[^\s<>()"']+/g)) out.push({ url: m[0].replace(/[.,;:!?]+$/, ''), label: '' });
  return out.flatMap((l) => {
    const target = unwrapRedirect(l.url);
    return target ? [{ url: target, label: l.label }] : [];
  });
}

/** A redirect wrapper's target when it carries one in a parameter (url=, dest=, redirect=…). */
function unwrapRedirect(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  for (const key of ['url', 'dest', 'destination', 'redirect', 'redirect_uri', 'target', 'u']) {
    const inner = u.searchParams.get(key);
    if (inner && /^https?:\/\//i.test(inner)) return inner;
  }
  return u.toString();
}

export function hostIs(url: string, domain: string): boolean {
  try {
    const h = new URL(url).hostname.toLowerCase();
    return h === domain || h.endsWith(`.${domain}`);
  } catch {
    return false;
  }
}

export function addressDomainIs(address: string | undefined, domain: string): boolean {
  const d = address?.split('@')[1]?.toLowerCase();
  return !!d && (d === domain || d.endsWith(`.${domain}`));
}

// An e-mail's HTML in a frame of its own. The server sends it as a document with a strict CSP
// (routes/message-html.ts); the sandbox never allows scripts. allow-same-origin only lets this
// page read the frame's height (a frame cannot run anything itself), so the mail shows at its full
// length inside the thread instead of in a small scrolling box. allow-popups with
// allow-popups-to-escape-sandbox lets its links open in a new tab as ordinary pages.
//
// Remote images stay blocked until the reader asks: once, for this view (?remote=1), or always for
// the sender (stored by the server, so every device and every later mail from them follows).
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../api/client.ts';
import type { Message, RemoteContentPermission } from '../api/types.ts';
import { describeError } from '../i18n/describe-error.ts';
import { useInboxLive } from './inbox-live.tsx';

const SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';
/** Before the document is measured (and if it cannot be): a few lines. */
const INITIAL_HEIGHT = 120;
/** A newsletter may be endless; past this the frame scrolls on its own. */
const MAX_HEIGHT = 4000;

export function MessageHtmlFrame({ message }: { message: Pick<Message, 'id' | 'subject' | 'remoteContent' | 'remoteContentSender'> }) {
  const { t } = useTranslation();
  const { changed } = useInboxLive();
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(INITIAL_HEIGHT);
  const [loadOnce, setLoadOnce] = useState(false);
  const [allowing, setAllowing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const blocked = message.remoteContent === 'blocked' && !loadOnce;
  const src = `/api/v1/messages/${encodeURIComponent(message.id)}/html${message.remoteContent === 'blocked' && loadOnce ? '?remote=1' : ''}`;
  // A new document for every change of what may load: the frame never shows a stale one.
  const frameKey = `${message.remoteContent}:${src}`;

  const measure = useCallback(() => {
    const doc = frame.current?.contentDocument;
    const root = doc?.documentElement;
    if (!doc || !root || !doc.body) return;
    // The root's own box is as tall as its content, whatever the frame's height is now; a
    // horizontal scrollbar (a wide table) adds its own height.
    const scrollbar = Math.max(0, (doc.defaultView?.innerHeight ?? 0) - root.clientHeight);
    const content = Math.ceil(Math.max(root.getBoundingClientRect().height, doc.body.scrollHeight)) + scrollbar;
    setHeight(Math.min(MAX_HEIGHT, Math.max(24, content)));
  }, []);

  const onLoad = useCallback(() => {
    measure();
    // Images that arrive after the load event (slow servers) change the height again.
    for (const image of Array.from(frame.current?.contentDocument?.images ?? [])) {
      if (!image.complete) {
        image.addEventListener('load', measure, { once: true });
        image.addEventListener('error', measure, { once: true });
      }
    }
  }, [measure]);

  // A narrower frame (a phone turned, a resized window) wraps the text into more lines. Watched
  // again for each new frame element (frameKey).
  useEffect(() => {
    const element = frame.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    let width = element.clientWidth;
    const observer = new ResizeObserver(() => {
      if (element.clientWidth !== width) {
        width = element.clientWidth;
        measure();
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [measure, frameKey]);

  async function alwaysLoad() {
    setAllowing(true);
    setError(null);
    try {
      await request<RemoteContentPermission>('PUT', `/messages/${encodeURIComponent(message.id)}/remote-content`);
      // The conversation is fetched again; this message (and the sender's others) come back
      // "allowed", and their frames load anew with the images.
      changed();
    } catch (failure) {
      setError(failure);
      setAllowing(false);
    }
  }

  const title = message.subject ? t('inbox.remoteContent.frameTitle', { subject: message.subject }) : t('inbox.remoteContent.frameTitleNoSubject');
  return (
    <div className="message-html">
      {blocked ? (
        <div className="alert alert-info remote-content-notice" role="note">
          <p>{t('inbox.remoteContent.blocked')}</p>
          <div className="form-actions">
            <button type="button" onClick={() => setLoadOnce(true)} disabled={allowing}>
              {t('inbox.remoteContent.loadOnce')}
            </button>
            {message.remoteContentSender ? (
              <button type="button" onClick={() => void alwaysLoad()} disabled={allowing} aria-busy={allowing || undefined}>
                {t('inbox.remoteContent.alwaysLoad', { sender: message.remoteContentSender })}
              </button>
            ) : null}
          </div>
          {error ? <p role="alert">{describeError(t, error)}</p> : null}
        </div>
      ) : null}
      <iframe
        key={frameKey}
        ref={frame}
        src={src}
        title={title}
        sandbox={SANDBOX}
        referrerPolicy="no-referrer"
        onLoad={onLoad}
        // Set through the DOM (the app's CSP refuses style attributes in markup, not this).
        style={{ display: 'block', width: '100%', height: `${height}px`, border: 0 }}
      />
    </div>
  );
}

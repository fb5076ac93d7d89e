// The files of a message: name, size and a download link each. Files Portier did not keep (over a
// size limit) are listed too, with the reason, so nothing the sender attached goes unmentioned.
// Inline images the message's HTML already shows (cid:…) are not repeated here.
import { useTranslation } from 'react-i18next';
import type { Message, MessageAttachment } from '../api/types.ts';

/** The download URL; the HTML mail view points cid: images at the same one with ?inline=1. */
export function attachmentUrl(messageId: string, attachmentId: string): string {
  return `/api/v1/messages/${encodeURIComponent(messageId)}/attachments/${encodeURIComponent(attachmentId)}`;
}

/** Content-IDs the HTML refers to (RFC 2392: cid:%-encoded-id), in lower case. */
function referencedContentIds(html: string | null): Set<string> {
  const ids = new Set<string>();
  for (const m of (html ?? '').matchAll(/cid:([^"'\s)>]+)/gi)) {
    try {
      ids.add(decodeURIComponent(m[1]!).replace(/^<|>$/g, '').toLowerCase());
    } catch {
      ids.add(m[1]!.toLowerCase());
    }
  }
  return ids;
}

export function listedAttachments(attachments: MessageAttachment[], html: string | null): MessageAttachment[] {
  const shownInHtml = referencedContentIds(html);
  return attachments.filter((a) => !(a.inline && a.contentId && shownInHtml.has(a.contentId.toLowerCase())));
}

function useFileSize(): (bytes: number) => string {
  const { i18n } = useTranslation();
  const format = (value: number, unit: 'byte' | 'kilobyte' | 'megabyte') =>
    // "23 bytes", "1.8 kB", "12 MB": the short form of "byte" reads as a typo ("23 byte").
    new Intl.NumberFormat(i18n.language, { style: 'unit', unit, unitDisplay: unit === 'byte' ? 'long' : 'short', maximumFractionDigits: value < 10 && unit !== 'byte' ? 1 : 0 }).format(value);
  return (bytes) => (bytes >= 1024 * 1024 ? format(bytes / 1024 / 1024, 'megabyte') : bytes >= 1024 ? format(bytes / 1024, 'kilobyte') : format(bytes, 'byte'));
}

export function AttachmentList({ message }: { message: Pick<Message, 'id' | 'html' | 'attachments' | 'attachmentsOmitted'> }) {
  const { t } = useTranslation();
  const fileSize = useFileSize();
  const listed = listedAttachments(message.attachments ?? [], message.html);
  const omitted = message.attachmentsOmitted ?? [];
  if (!listed.length && !omitted.length) return null;
  return (
    <ul className="message-facts message-attachments" aria-label={t('inbox.attachments.label')}>
      {listed.map((a) => (
        <li key={a.id}>
          <a href={attachmentUrl(message.id, a.id)} download={a.filename} aria-label={t('inbox.attachments.download', { name: a.filename })}>
            {a.filename}
          </a>{' '}
          <span className="muted">({fileSize(a.size)})</span>
        </li>
      ))}
      {omitted.map((a, i) => (
        <li key={`omitted-${i}`} className="is-omitted">
          {a.filename} <span className="muted">({fileSize(a.size)})</span> {t('inbox.attachments.notStored', { reason: a.reason })}
        </li>
      ))}
    </ul>
  );
}

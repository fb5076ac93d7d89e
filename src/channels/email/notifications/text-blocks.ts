// Shared reading of a notification's text part: the sender name from a "Name via Network" display
// name, and the preview as the last paragraph above the link to the thread. These rules look at
// structure (links, paragraphs), not at localised wording, so one rule serves en/de/fr alike.

/** "Anna Meier via LinkedIn", "Anna Meier über XING", "Anna Meier par LinkedIn" → "Anna Meier". */
export function nameFromDisplayName(display: string | undefined, network: string): string | null {
  const name = (display ?? '').replace(new RegExp(`\\s*[(\\[]?\\s*(?:via|über|ueber|par|tramite|through|on|sur|auf|bei)\\s+${network}\\s*[)\\]]?\\s*$`, 'i'), '').trim();
  if (!name || new RegExp(`^${network}$`, 'i').test(name)) return null;
  return name;
}

const QUOTES = /^["“”„«»‚‘’']+|["“”„«»‚‘’']+$/g;

/**
 * The paragraph just above the first line holding `threadUrlPart` — when it is not the sender's own
 * name/headline paragraph. Returns null when the mail carries no preview.
 */
export function previewAbove(text: string, isThreadLine: (line: string) => boolean, senderName: string | null): string | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const at = lines.findIndex(isThreadLine);
  if (at <= 0) return null;
  let end = at - 1;
  // A link label on its own line ("Read and reply:") belongs to the link, not to the preview.
  if (end >= 0 && /:\s*$/.test(lines[end]!) && lines[end]!.trim().length < 80) end--;
  while (end >= 0 && !lines[end]!.trim()) end--;
  if (end < 0) return null;
  let start = end;
  while (start > 0 && lines[start - 1]!.trim()) start--;
  const block = lines.slice(start, end + 1).map((l) => l.trim());
  if (block.some((l) => /https?:\/\//.test(l))) return null;
  if (senderName && block[0] === senderName) return null;
  const preview = block.join(' ').replace(/\s+/g, ' ').replace(QUOTES, '').trim();
  return preview ? preview.slice(0, 1000) : null;
}

/** The first line of the text when it reads like a name (short, no link, no colon): the last fallback. */
export function nameAtTop(text: string): string | null {
  const first = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trim()).find(Boolean);
  return first && first.length <= 80 && !/https?:|[:@]/.test(first) ? first : null;
}

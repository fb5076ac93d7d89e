// What the person wrote this time, apart from the history their mail program quoted below it and
// the signature: for the thread view, which shows `visible` and folds the rest (the full text is
// always stored and one click away). Conservative by design: when unsure, text stays visible.
//
// Recognised, in English, French, German and Italian (plus a few neighbours):
//  - attribution lines: "On … wrote:", "Le … a écrit :", "Am … schrieb …:", "Il … ha scritto:"
//    (also when a mail program wrapped them over two or three lines)
//  - Outlook and webmail separators: "-----Original Message-----", "----- Ursprüngliche Nachricht -----",
//    "De : … Envoyé : …", "Von: … Gesendet: …", "Da: … Inviato: …", "From: … Sent: …" header blocks
//  - a trailing block of ">" quoted lines (inline answers between quoted lines stay visible)
//  - the "-- " signature separator and "Sent from my iPhone"-style trailers
// A forwarded message ("---------- Forwarded message ---------") is content, not history: it stays.

export interface QuotedSplit {
  /** The new text, without quoted history or signature, trimmed. */
  visible: string;
  /** The quoted history, from its attribution line on; '' when none. */
  quoted: string;
  /** The signature block (separator included); '' when none. */
  signature: string;
  /** Offset (in the text with line endings as \n) where the quoted history starts; null when none. */
  quoteStart: number | null;
  /** Offset where the signature starts; null when none. */
  signatureStart: number | null;
}

const ATTRIBUTION = [
  /^\s*On\b.{0,400}\bwrote\s*:\s*$/i,
  /^\s*Le\b.{0,400}\ba\s+écrit\s*:\s*$/i,
  /^\s*Am\b.{0,400}\bschrieb\b.{0,300}:\s*$/i,
  /^\s*Il\b.{0,400}\bha\s+scritto\s*:\s*$/i,
  /^\s*El\b.{0,400}\bescribió\s*:\s*$/i,
  /^\s*Op\b.{0,400}\bschreef\b.{0,300}:\s*$/i,
  // "Anna Meier <anna@example.ch> schrieb am 3. März 2024:" / "anna@example.ch wrote:"
  /^\s*\S.{0,200}(?:<[^>\s]+@[^>\s]+>|\S+@\S+).{0,60}\b(?:wrote|schrieb|a écrit|ha scritto)\b.{0,100}:\s*$/i,
];

const SEPARATOR = /^\s*-{2,}\s*(?:Original(?:ly)?\s+Message|Ursprüngliche\s+Nachricht|Originalnachricht|Message\s+d'origine|Messaggio\s+originale|Mensaje\s+original|Oorspronkelijk\s+bericht|Reply\s+message)\s*-{2,}\s*$/i;
const FORWARD = /^\s*-{2,}\s*(?:Forwarded\s+message|Weitergeleitete\s+Nachricht|Message\s+transféré|Messaggio\s+inoltrato|Begin forwarded message|Mensaje\s+reenviado)\s*-{0,}\s*:?\s*$|^\s*Begin forwarded message:\s*$|^\s*Anfang der weitergeleiteten Nachricht:\s*$|^\s*Début du message réexpédié :\s*$/i;
const OUTLOOK_RULE = /^\s*_{20,}\s*$/;
const HEADER_FROM = /^\s*\*?(?:From|Von|De|Da|Van|Från|Od)\s*:\*?\s*\S/i;
const HEADER_OTHER = /^\s*\*?(?:Sent|Gesendet|Envoyé|Inviato|Date|Datum|Data|To|An|À|A|Cc|Subject|Betreff|Objet|Oggetto)\s*:\*?/i;
const SIGNATURE = /^-- ?$/;
const DEVICE_TRAILER = /^\s*(?:Sent from my\b|Sent from (?:Mail|Outlook) for\b|Get Outlook for\b|Von meinem .{1,40} gesendet|Gesendet von meinem\b|Envoyé de mon\b|Envoyé depuis mon\b|Inviato da(?:l mio)?\b)/i;

const isQuoted = (line: string) => /^\s*>/.test(line);

function attributionAt(lines: string[], i: number): number {
  // The attribution may be wrapped: try the line alone, then joined with the next one or two.
  // Only the language-specific patterns (which start with "On", "Le", "Am" …) may span lines.
  for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
    if (!lines[i + span - 1]!.trim()) break;
    const joined = lines.slice(i, i + span).map((l) => l.trim()).join(' ');
    if (joined.length > 600) break;
    if ((span === 1 ? ATTRIBUTION : ATTRIBUTION.slice(0, 6)).some((re) => re.test(joined))) return span;
  }
  return 0;
}

function headerBlockAt(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i]!)) return false;
  let others = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (HEADER_OTHER.test(lines[j]!)) others++;
  return others >= 2;
}

/** Are there own (unquoted) lines after quoted ones, before any signature? Then it is an inline answer. */
function interleaved(lines: string[], from: number): boolean {
  let seenQuote = false;
  for (let j = from; j < lines.length; j++) {
    const l = lines[j]!;
    if (SIGNATURE.test(l)) return false;
    if (isQuoted(l)) seenQuote = true;
    else if (seenQuote && l.trim()) return true;
  }
  return false;
}

export function splitQuoted(text: string): QuotedSplit {
  const normalized = text.replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  const offsets: number[] = [];
  let pos = 0;
  for (const l of lines) {
    offsets.push(pos);
    pos += l.length + 1;
  }

  let cut: number | null = null;
  let afterForward = -1;
  for (let i = 0; i < lines.length && cut === null; i++) {
    const line = lines[i]!;
    if (FORWARD.test(line)) {
      afterForward = i;
      continue;
    }
    // The header block right under a forward marker belongs to the forwarded message.
    if (afterForward >= 0 && i - afterForward <= 3) continue;
    if (SEPARATOR.test(line)) cut = i;
    else if (OUTLOOK_RULE.test(line) && i + 1 < lines.length && lines.slice(i + 1, i + 3).some((l) => HEADER_FROM.test(l))) cut = i;
    else if (headerBlockAt(lines, i)) cut = i;
    else {
      const span = attributionAt(lines, i);
      if (span && !interleaved(lines, i + span)) cut = i;
      else if (span) break; // an inline answer: nothing below is folded by attribution
    }
  }

  // A trailing run of ">" lines (with blank lines), and the attribution right above it.
  if (cut === null) {
    let lastOwn = -1;
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i]!.trim() && !isQuoted(lines[i]!)) {
        lastOwn = i;
        break;
      }
    }
    const firstQuoteAfter = lines.findIndex((l, i) => i > lastOwn && isQuoted(l));
    if (firstQuoteAfter > 0 || (firstQuoteAfter === 0 && lastOwn === -1)) {
      let start = firstQuoteAfter;
      while (start > 0 && !lines[start - 1]!.trim()) start--;
      // The line above the quote is the attribution when it ends with a colon.
      if (start > 0 && /:\s*$/.test(lines[start - 1]!) && lines[start - 1]!.length < 300) start--;
      cut = start;
    }
  }

  const body = cut === null ? lines : lines.slice(0, cut);
  let sigLine: number | null = null;
  for (let i = body.length - 1; i >= 0; i--) {
    if (SIGNATURE.test(body[i]!)) {
      sigLine = i;
      break;
    }
  }
  if (sigLine === null) {
    let last = body.length - 1;
    while (last >= 0 && !body[last]!.trim()) last--;
    if (last >= 0 && DEVICE_TRAILER.test(body[last]!)) sigLine = last;
  }

  let visible = (sigLine === null ? body : body.slice(0, sigLine)).join('\n').trim();
  let quoted = cut === null ? '' : lines.slice(cut).join('\n').trim();
  let signature = sigLine === null ? '' : body.slice(sigLine).join('\n').trim();
  let quoteStart = cut === null ? null : offsets[cut]!;
  let signatureStart = sigLine === null ? null : offsets[sigLine]!;

  // Nothing of their own above the fold (a bare forward, a lone quote): show everything.
  if (!visible) {
    visible = normalized.trim();
    quoted = '';
    signature = '';
    quoteStart = null;
    signatureStart = null;
  }
  return { visible, quoted, signature, quoteStart, signatureStart };
}

// `portier inspect-email FILE.eml`: what Portier makes of one message, and why — for an owner
// wondering where a mail landed, and for a developer adding a fixture. Pure: reads the file only,
// touches no database, follows no link.
import { readFile } from 'node:fs/promises';
import { parseEmail } from '../channels/email/parse-email.ts';
import { formatBytes } from '../core/format-bytes.ts';
import { mapEmailToInbound } from '../channels/email/map-email.ts';
import { splitQuoted } from '../channels/email/parse-quoted.ts';
import { CommandFailed, parseOptions, UsageError, type Command } from './args.ts';

const HELP = `Usage:
  portier inspect-email FILE.eml [--json] [--own-address ADDRESS …]

Shows what Portier makes of one e-mail: sender and identities, subject, thread keys, classification
(inquiry, auto-reply, bounce, bulk, LinkedIn/Xing notification…) with the reason, the visible text
(without quoted history and signature), attachments and any limits that applied.

  --json          print the result as JSON
  --own-address   one of your own addresses (repeatable): mail from it counts as sent by you`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('inspect-email', argv, { json: { type: 'boolean' }, 'own-address': { type: 'string', multiple: true } }, true);
  if (positionals.length !== 1) throw new UsageError('inspect-email: give exactly one .eml file. See "portier inspect-email --help".');
  const file = positionals[0]!;
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new CommandFailed(`inspect-email: cannot read "${file}" (${why}). Give the path of a saved .eml message.`);
  }
  const parsed = await parseEmail(raw);
  const mapping = mapEmailToInbound(parsed, { ownAddresses: values['own-address'] ?? [] });
  const split = splitQuoted(parsed.text);
  const { inbound, classification } = mapping;

  const report = {
    file,
    size: parsed.size,
    entrance: mapping.entranceKind,
    direction: mapping.direction,
    sender: { name: inbound.sender.name ?? null, address: parsed.from?.address ?? null, identities: inbound.sender.identities },
    counterpart: mapping.direction === 'outbound' ? mapping.counterpart : undefined,
    subject: parsed.subject,
    date: parsed.date === null ? null : new Date(parsed.date).toISOString(),
    externalId: inbound.externalId,
    threadKeys: mapping.threadKeys,
    classification: { kind: classification.kind, reason: classification.reason, network: classification.network ?? null, bounce: classification.bounce ?? null },
    notification: classification.notification ?? null,
    startsClock: mapping.startsClock,
    text: { visible: split.visible, quotedLength: split.quoted.length, signatureLength: split.signature.length, fromHtml: parsed.textFromHtml, html: parsed.html !== null },
    attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, inline: a.inline, contentId: a.contentId, omitted: a.omitted ?? null, forwarded: a.forwarded ?? null })),
    notes: parsed.notes,
  };

  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const out: string[] = [];
  const row = (label: string, value: string) => out.push(`${label.padEnd(15)}${value}`);
  row('From', parsed.from ? `${parsed.from.name ? `${parsed.from.name} ` : ''}<${parsed.from.address}>` : '(none)');
  row('Identities', inbound.sender.identities.map((i) => `${i.kind}:${i.value}${i.verified ? ' (verified)' : ''}`).join(', ') || '(name only)');
  if (mapping.direction === 'outbound') row('Sent to', mapping.counterpart.identities.map((i) => i.value).join(', ') || '(unknown)');
  row('Subject', parsed.subject ?? '(none)');
  row('Date', report.date ?? '(missing or unreadable)');
  row('Direction', mapping.direction === 'outbound' ? 'outbound (sent by you)' : 'inbound');
  row('Entrance', mapping.entranceKind);
  row('Class', `${classification.kind} — ${classification.reason}`);
  row('Awaits reply', mapping.startsClock ? 'yes (starts the clock)' : 'no');
  if (classification.bounce) row('Bounced msg', classification.bounce.originalMessageId ?? '(original not returned)');
  if (classification.notification) {
    const n = classification.notification;
    row('Network', `${n.network} ${n.kind}${n.senderName ? ` from ${n.senderName}` : ''}`);
    if (n.threadUrl) row('Answer there', n.threadUrl);
  }
  row('External id', inbound.externalId);
  row('Thread keys', mapping.threadKeys.candidates.map((c) => `${c.key} (${c.source})`).join('\n' + ' '.repeat(15)) || '(none: starts a new conversation)');
  row('New thread', mapping.threadKeys.newThreadKey);
  row('Attachments', parsed.attachments.length ? parsed.attachments.map((a) => `${a.filename} (${a.contentType}, ${formatBytes(a.size)}${a.inline ? ', inline' : ''}${a.omitted ? ', not stored: too large' : ''})`).join('\n' + ' '.repeat(15)) : '(none)');
  for (const n of parsed.notes) row('Note', n.message);
  out.push('', `Visible text${parsed.textFromHtml ? ' (from the HTML)' : ''}; quoted history ${split.quoted.length} characters, signature ${split.signature.length}:`, '');
  out.push(split.visible ? split.visible.split('\n').map((l) => `  ${l}`).join('\n') : '  (no text)');
  console.log(out.join('\n'));
  return 0;
}

export const inspectEmailCommand: Command = {
  summary: 'show what Portier makes of an .eml file (sender, thread keys, classification, text)',
  help: HELP,
  run,
};

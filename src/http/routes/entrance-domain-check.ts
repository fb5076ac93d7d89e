// "Check SPF, DKIM and DMARC" for an e-mail entrance: the sending domain's DNS records, checked
// against the stored settings (the From address, the SMTP server, the sent folder). Read-only,
// never saved; rate-limited like "Test connection" because each check sends DNS and IMAP traffic.
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { checkSenderDomain } from '../../channels/email/domain-check.ts';
import { EmailConfigSchema, type EmailConfig } from '../../channels/email/imap-connection.ts';
import { AppError } from '../../core/errors.ts';
import { openEntranceConfig } from '../../entrances/entrance-config.ts';
import { findEntrance } from '../../storage/repositories/entrances.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, IdParams } from '../schemas.ts';

const Status = Type.Union(['ok', 'warning', 'problem', 'unknown'].map((s) => Type.Literal(s)), { description: 'ok; warning: works, but should be improved; problem: mail may be refused or land in spam; unknown: could not be checked (DNS did not answer)' });
const Alignment = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unknown')]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Finding = {
  status: Status,
  code: Type.String({ description: 'Stable code of the finding (spf_pass, spf_softfail, dkim_not_found, dmarc_monitor_only…), for programs and translations' }),
  summary: Type.String({ description: 'One line: what was found' }),
  explanation: Type.String({ description: 'What it means and what to do, in plain words' }),
  records: Type.Array(Type.String(), { description: 'The records as published' }),
  fix: Type.Optional(
    Type.Object(
      {
        action: Type.Union([Type.Literal('add'), Type.Literal('replace')]),
        name: Type.String({ description: 'The full DNS name, e.g. _dmarc.example.org' }),
        type: Type.Literal('TXT'),
        value: Type.String({ description: 'The exact record value to publish' }),
        replaces: Type.Optional(Type.Array(Type.String())),
      },
      { description: 'The DNS record to add, or to put in place of `replaces`' },
    ),
  ),
};

const SpfOut = Type.Object({
  ...Finding,
  smtpHost: Nullable(Type.String()),
  addresses: Type.Array(Type.Object({ address: Type.String(), result: Type.String({ description: 'pass, fail, softfail, neutral, permerror, temperror, or "not checked"' }), note: Type.Optional(Type.String()) })),
  lookups: Nullable(Type.Integer({ description: 'DNS lookups the record needs (receivers allow 10)' })),
  passes: Nullable(Type.Boolean()),
});
const SignatureRef = Type.Object({ selector: Type.String(), domain: Type.String() });
const DkimOut = Type.Object({
  ...Finding,
  selector: Nullable(Type.String()),
  signingDomain: Nullable(Type.String()),
  source: Nullable(Type.Union([Type.Literal('sent-folder'), Type.Literal('usual-selector')])),
  keyType: Nullable(Type.String()),
  keyBits: Nullable(Type.Integer()),
  sentFolder: Nullable(Type.Object({ folder: Nullable(Type.String()), messagesRead: Type.Integer(), signatures: Type.Array(SignatureRef), error: Nullable(Type.String()) })),
});
const Policy = Type.Union([Type.Literal('none'), Type.Literal('quarantine'), Type.Literal('reject')]);
const DmarcOut = Type.Object({
  ...Finding,
  recordName: Nullable(Type.String()),
  policy: Nullable(Policy),
  pct: Nullable(Type.Integer()),
  adkim: Nullable(Type.Union([Type.Literal('r'), Type.Literal('s')])),
  aspf: Nullable(Type.Union([Type.Literal('r'), Type.Literal('s')])),
  rua: Type.Array(Type.String()),
  alignment: Type.Object({ spf: Alignment, dkim: Alignment }),
  wouldPass: Nullable(Type.Boolean()),
});
const DomainCheckOut = Type.Object({
  address: Type.String({ description: 'The address Portier sends from' }),
  domain: Type.String(),
  organizationalDomain: Type.String(),
  provider: Nullable(Type.String({ description: 'Set when the domain is a mail provider\'s (gmail.com…): only the provider can change its records' })),
  smtpHost: Nullable(Type.String()),
  checkedAt: Type.String({ format: 'date-time' }),
  spf: SpfOut,
  dkim: DkimOut,
  dmarc: DmarcOut,
});

export function registerEntranceDomainCheckRoutes(app: Api, ctx: AppContext): void {
  app.post('/api/v1/entrances/:id/domain-check', {
    schema: {
      tags: ['entrances'],
      summary: 'Check the SPF, DKIM and DMARC records of an e-mail entrance\'s sending domain',
      description:
        'For the domain of the entrance\'s first own address: SPF (one valid record, within 10 lookups, and whether it lets the entrance\'s SMTP server send), DKIM (the key of the selector read from a signed message in the sent folder, else of the usual selectors) and DMARC (the policy in plain words, and whether the owner\'s mail would pass). Each with a status, an explanation and the exact record to add or change. DNS failures are reported as such (status unknown), never as a missing record. Uses the saved settings; nothing is changed. At most 10 checks a minute.',
      params: IdParams,
      response: { 200: DomainCheckOut, ...errorResponses(401, 403, 404, 409, 429) },
    },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    onRequest: requireAuth(),
  }, async (request) => {
    const entrance = await findEntrance(ctx.storage.db, authOf(request).workspaceId, request.params.id);
    if (!entrance) throw new AppError('not_found', 'No such entrance in this workspace.');
    if (entrance.kind !== 'email') throw new AppError('conflict', `Only an e-mail entrance has a sending domain to check; this one is ${entrance.kind}.`);
    const config = openEntranceConfig(ctx.secrets, entrance);
    if (!config) throw new AppError('conflict', 'This e-mail entrance has no settings yet: enter your address and mail servers, save, then check the domain.');
    if (!Value.Check(EmailConfigSchema, config)) throw new AppError('conflict', 'The saved settings of this e-mail entrance are incomplete: complete and save them, then check the domain.');
    return checkSenderDomain(config as EmailConfig);
  });
}

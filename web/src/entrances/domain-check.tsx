// "Sender domain" on an e-mail entrance: checks the SPF, DKIM and DMARC records of the domain the
// owner sends from and lists what was found. Each finding says its status in words (and a symbol),
// never by colour alone; records to add or change come with copy buttons. The findings' sentences
// come from the server in English and are marked lang="en" so screen readers pronounce them right.
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkSenderDomain } from '../api/endpoints.ts';
import type { DnsRecordFix, DomainCheckReport, DomainCheckStatus, DomainFinding } from '../api/types.ts';
import { CopyField } from '../components/copy-field.tsx';
import { useDescribeError } from '../i18n/describe-error.ts';
import './domain-check.css';

const MARK: Record<DomainCheckStatus, string> = { ok: '✓', warning: '!', problem: '✗', unknown: '?' };
const CHECKS = ['spf', 'dkim', 'dmarc'] as const;

export function DomainCheck({ entranceId, configured }: { entranceId: string; configured: boolean }) {
  const { t } = useTranslation();
  const describeError = useDescribeError();
  const [report, setReport] = useState<DomainCheckReport | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [checking, setChecking] = useState(false);
  const titleId = useId();
  const statusId = useId();
  const running = useRef(false);

  async function run() {
    if (running.current) return;
    running.current = true;
    setChecking(true);
    setFailure(null);
    try {
      setReport(await checkSenderDomain(entranceId));
    } catch (error) {
      setReport(null);
      setFailure(error);
    } finally {
      running.current = false;
      setChecking(false);
    }
  }

  const count = (status: DomainCheckStatus) => (report ? CHECKS.filter((c) => report[c].status === status).length : 0);

  return (
    <section className="domain-check" aria-labelledby={titleId}>
      <h4 id={titleId}>{t('domainCheck.title')}</h4>
      <p className="field-hint">{t('domainCheck.intro')}</p>
      {configured ? (
        <button type="button" className="button-outline" onClick={() => void run()} disabled={checking} aria-describedby={statusId}>
          {checking ? t('domainCheck.running') : t('domainCheck.run')}
        </button>
      ) : (
        <p className="muted">{t('domainCheck.notSaved')}</p>
      )}
      {/* Only the one-line outcome is announced; the findings below are read at the owner's pace. */}
      <div id={statusId} role="status" aria-busy={checking}>
        {failure ? <p className="field-error">{describeError(failure)}</p> : null}
        {report && !checking ? (
          <p className="domain-check-summary">
            {t('domainCheck.summary', { domain: report.domain, problems: count('problem'), warnings: count('warning'), unknown: count('unknown') })}
          </p>
        ) : null}
      </div>
      {report ? (
        <>
          {report.provider ? <p className="domain-check-provider">{t('domainCheck.provider', { domain: report.domain, provider: report.provider })}</p> : null}
          <ul className="domain-findings">
            {CHECKS.map((check) => (
              <Finding key={check} check={check} finding={report[check]} report={report} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Finding({ check, finding, report }: { check: (typeof CHECKS)[number]; finding: DomainFinding; report: DomainCheckReport }) {
  const { t } = useTranslation();
  return (
    <li className={`domain-finding domain-finding-${finding.status}`}>
      <h5 className="domain-finding-title">
        <span className="domain-status">
          <span aria-hidden="true">{MARK[finding.status]}</span> {t(`domainCheck.status.${finding.status}`)}
        </span>
        <span className="visually-hidden">: </span>
        <span>{t(`domainCheck.check.${check}`)}</span>
        <span className="domain-finding-purpose"> — {t(`domainCheck.purpose.${check}`)}</span>
      </h5>
      <p className="domain-finding-summary" lang="en">
        {finding.summary}
      </p>
      <p className="domain-finding-explanation" lang="en">
        {finding.explanation}
      </p>
      <Facts check={check} report={report} />
      {finding.records.length && !finding.fix?.replaces ? (
        <details className="domain-records">
          <summary>{t('domainCheck.current', { count: finding.records.length })}</summary>
          {finding.records.map((r) => (
            <code key={r} className="domain-record">
              {r}
            </code>
          ))}
        </details>
      ) : null}
      {finding.fix ? <Fix fix={finding.fix} zone={report.organizationalDomain} /> : null}
    </li>
  );
}

function Facts({ check, report }: { check: (typeof CHECKS)[number]; report: DomainCheckReport }) {
  const { t } = useTranslation();
  const facts: string[] = [];
  if (check === 'spf' && report.spf.smtpHost && report.spf.addresses.length) {
    facts.push(t('domainCheck.facts.server', { host: report.spf.smtpHost, results: report.spf.addresses.map((a) => `${a.address} ${a.result}`).join(', ') }));
  }
  if (check === 'spf' && report.spf.lookups !== null) facts.push(t('domainCheck.facts.lookups', { count: report.spf.lookups }));
  if (check === 'dkim' && report.dkim.selector) {
    facts.push(t('domainCheck.facts.selector', { selector: report.dkim.selector, domain: report.dkim.signingDomain ?? report.domain }));
    if (report.dkim.keyBits) facts.push(t('domainCheck.facts.key', { type: (report.dkim.keyType ?? '').toUpperCase(), bits: report.dkim.keyBits }));
  }
  if (check === 'dmarc' && report.dmarc.policy) facts.push(t('domainCheck.facts.policy', { policy: report.dmarc.policy }));
  if (!facts.length) return null;
  return (
    <ul className="domain-facts">
      {facts.map((f) => (
        <li key={f}>{f}</li>
      ))}
    </ul>
  );
}

function Fix({ fix, zone }: { fix: DnsRecordFix; zone: string }) {
  const { t } = useTranslation();
  // DNS hosts' forms mostly want the name relative to the zone ("_dmarc", or "@" for the domain itself).
  const short = fix.name === zone ? '@' : fix.name.endsWith(`.${zone}`) ? fix.name.slice(0, -(zone.length + 1)) : null;
  return (
    <div className="domain-fix">
      <p className="domain-fix-title">{fix.action === 'add' ? t('domainCheck.fix.add') : t('domainCheck.fix.replace')}</p>
      {fix.replaces?.length ? (
        <div className="domain-fix-old">
          <span>{t('domainCheck.fix.old', { count: fix.replaces.length })}</span>
          {fix.replaces.map((r) => (
            <code key={r} className="domain-record">
              {r}
            </code>
          ))}
        </div>
      ) : null}
      <CopyField label={t('domainCheck.fix.name')} value={fix.name} />
      {short ? <p className="field-hint">{t('domainCheck.fix.shortName', { short })}</p> : null}
      <CopyField label={t('domainCheck.fix.value', { type: fix.type })} value={fix.value} />
      {/* A one-line field cuts a long record on a phone: shown whole for the eye (the field already holds it for screen readers). */}
      {fix.value.length > 40 ? (
        <code className="domain-record domain-fix-whole" aria-hidden="true">
          {fix.value}
        </code>
      ) : null}
    </div>
  );
}

// The public contact pages, rendered on the server: the form (full page or the minimal layout for
// an <iframe>), the confirmation, and the error pages. No inline script or style anywhere (the
// content security policy allows only our own files), every value escaped by the `html` tag.
import { html, raw, type SafeHtml } from './html.ts';
import { LIMITS, heardChoices, replyChoices, type FieldError, type FieldName, type FormValues } from './contact-form.ts';
import type { ContactPageData } from './contact-page-data.ts';
import { formatResponseTarget, messagesFor, type Messages, type PublicLanguage } from './messages/index.ts';

export type Layout = 'page' | 'embed';

export interface PageShell {
  lang: PublicLanguage;
  layout: Layout;
  title: string;
  stylesheet: string;
  script?: string;
  /** The language switcher: links to this page in the other languages. */
  languages?: { lang: PublicLanguage; href: string }[];
}

export function contactPath(handle: string, layout: Layout, suffix = ''): string {
  return `/@${encodeURIComponent(handle)}/contact${layout === 'embed' ? '/embed' : ''}${suffix}`;
}

function languageSwitcher(shell: PageShell, t: Messages): SafeHtml | null {
  if (!shell.languages || shell.languages.length < 2) return null;
  return html`<nav class="languages" aria-label="${t.languageSwitcher}"><ul>${shell.languages.map((l) => {
    const name = messagesFor(l.lang).languageName;
    return l.lang === shell.lang
      ? html`<li><a href="${l.href}" lang="${l.lang}" hreflang="${l.lang}" aria-current="true">${name}</a></li>`
      : html`<li><a href="${l.href}" lang="${l.lang}" hreflang="${l.lang}">${name}</a></li>`;
  })}</ul></nav>`;
}

export function document(shell: PageShell, body: SafeHtml): SafeHtml {
  const t = messagesFor(shell.lang);
  return html`<!doctype html>
<html lang="${shell.lang}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shell.title}</title>
<link rel="stylesheet" href="${shell.stylesheet}">
${shell.script ? html`<script src="${shell.script}" defer></script>` : null}
</head>
<body class="layout-${shell.layout}">
<div class="wrap">
${languageSwitcher(shell, t)}
<main class="card" id="main">
${body}
</main>
${shell.layout === 'page' ? html`<footer class="site-footer"><p>${t.poweredBy}</p></footer>` : null}
</div>
</body>
</html>
`;
}

export interface FormView {
  page: ContactPageData;
  lang: PublicLanguage;
  layout: Layout;
  values: FormValues;
  errors: FieldError[];
  token: string;
  stamp: string;
}

const id = (field: FieldName) => `f-${field}`;

function errorSummary(view: FormView, t: Messages): SafeHtml | null {
  if (!view.errors.length) return null;
  return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t.errorsHeading}</h2>
<ul>${view.errors.map((e) => (e.field ? html`<li><a href="#${id(e.field)}">${e.message}</a></li>` : html`<li>${e.message}</li>`))}</ul>
</div>`;
}

/** The parts of one field: its error (if any) and the ids its control is described by. */
function fieldState(view: FormView, field: FieldName, hintId?: string) {
  const errors = view.errors.filter((e) => e.field === field);
  const errorId = `${id(field)}-error`;
  const describedBy = [errors.length ? errorId : null, hintId ?? null].filter(Boolean).join(' ');
  return {
    invalid: errors.length > 0,
    error: errors.length ? html`<p class="field-error" id="${errorId}">${errors.map((e) => e.message).join(' ')}</p>` : null,
    attrs: raw(`${describedBy ? ` aria-describedby="${describedBy}"` : ''}${errors.length ? ' aria-invalid="true"' : ''}`),
  };
}

function optionalMark(t: Messages): SafeHtml {
  return html` <span class="optional">(${t.optional})</span>`;
}

export function renderFormPage(view: FormView, shell: Omit<PageShell, 'title' | 'layout' | 'lang'>): SafeHtml {
  const t = messagesFor(view.lang);
  const { workspace, entrances } = view.page;
  const v = view.values;
  const action = `${contactPath(workspace.handle, view.layout)}?lang=${view.lang}`;
  const challenge = `${contactPath(workspace.handle, 'page', '/challenge')}?submission=${encodeURIComponent(view.token)}`;
  const name = fieldState(view, 'name');
  const email = fieldState(view, 'email', 'f-reach-hint');
  const phone = fieldState(view, 'phone', 'f-reach-hint');
  const message = fieldState(view, 'message', 'f-message-hint');
  const preferred = fieldState(view, 'preferred', 'f-preferred-hint');
  const heard = fieldState(view, 'heard');
  const recommendedBy = fieldState(view, 'recommendedBy');
  const fmt = new Intl.NumberFormat(view.lang);

  const body = html`<header class="intro">
<h1>${workspace.name}</h1>
<p>${t.intro}</p>
</header>
${errorSummary(view, t)}
<form class="contact-form" method="post" action="${action}" accept-charset="utf-8" data-challenge-url="${challenge}">
<div class="field${name.invalid ? ' is-invalid' : ''}">
<label for="f-name">${t.name}</label>
${name.error}
<input id="f-name" name="name" type="text" autocomplete="name" required maxlength="${LIMITS.name}" value="${v.name}"${name.attrs}>
</div>

<fieldset class="group panel">
<legend>${t.reachLegend}</legend>
<p class="hint" id="f-reach-hint">${t.contactHint}</p>
<div class="field${email.invalid ? ' is-invalid' : ''}">
<label for="f-email">${t.email}</label>
${email.error}
<input id="f-email" name="email" type="email" autocomplete="email" inputmode="email" spellcheck="false" maxlength="${LIMITS.email}" value="${v.email}"${email.attrs}>
</div>
<div class="field${phone.invalid ? ' is-invalid' : ''}">
<label for="f-phone">${t.phone}</label>
${phone.error}
<input id="f-phone" name="phone" type="tel" autocomplete="tel" maxlength="${LIMITS.phone}" value="${v.phone}"${phone.attrs}>
</div>
</fieldset>

<div class="field${message.invalid ? ' is-invalid' : ''}">
<label for="f-message">${t.message}</label>
<p class="hint" id="f-message-hint">${t.messageHint(fmt.format(LIMITS.message))}</p>
${message.error}
<textarea id="f-message" name="message" rows="7" required maxlength="${LIMITS.message}"${message.attrs}>${v.message}</textarea>
</div>

<fieldset class="group choices${preferred.invalid ? ' is-invalid' : ''}" id="f-preferred"${preferred.attrs}>
<legend>${t.preferredLegend}${optionalMark(t)}</legend>
<p class="hint" id="f-preferred-hint">${t.preferredHint}</p>
${preferred.error}
<div class="choice-list">
${replyChoices(entrances, t).map((c) => html`<label class="choice"><input type="radio" name="preferred" value="${c.value}"${v.preferred === c.value ? raw(' checked') : null}> <span>${c.label}</span></label>`)}
</div>
</fieldset>

<div class="field${heard.invalid ? ' is-invalid' : ''}">
<label for="f-heard">${t.heardLabel}${optionalMark(t)}</label>
${heard.error}
<select id="f-heard" name="heard"${heard.attrs}>
<option value="">${t.heardNone}</option>
${heardChoices(entrances, t).map((c) => html`<option value="${c.value}"${v.heard === c.value ? raw(' selected') : null}>${c.label}</option>`)}
</select>
</div>
<div class="field${recommendedBy.invalid ? ' is-invalid' : ''}">
<label for="f-recommendedBy">${t.recommendedByLabel}${optionalMark(t)}</label>
${recommendedBy.error}
<input id="f-recommendedBy" name="recommendedBy" type="text" autocomplete="off" maxlength="${LIMITS.recommendedBy}" value="${v.recommendedBy}"${recommendedBy.attrs}>
</div>

<div class="hp" aria-hidden="true">
<label for="f-website">${t.honeypotLabel}</label>
<input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off" value="">
</div>
<input type="hidden" name="submission" value="${view.token}">
<input type="hidden" name="issued" value="${view.stamp}">
<input type="hidden" name="altcha" value="">

<div class="actions">
<button type="submit" class="button">${t.submit}</button>
<p class="status" role="status" aria-live="polite" data-working="${t.working}"></p>
</div>
<p class="privacy">${t.privacy(view.page.ownerName)}</p>
</form>`;
  return document({ ...shell, lang: view.lang, layout: view.layout, title: t.pageTitle(workspace.name) }, body);
}

export function renderThanksPage(page: ContactPageData, lang: PublicLanguage, layout: Layout, targetMinutes: number, shell: Omit<PageShell, 'title' | 'layout' | 'lang'>): SafeHtml {
  const t = messagesFor(lang);
  const body = html`<div class="message-page thanks">
<p class="eyebrow">${page.workspace.name}</p>
<h1>${t.thanksTitle}</h1>
<p class="lead">${t.thanksSent}</p>
<p>${t.thanksNext(page.ownerName, formatResponseTarget(lang, targetMinutes))}</p>
<p><a class="button button-secondary" href="${contactPath(page.workspace.handle, layout)}?lang=${lang}">${t.thanksBack}</a></p>
</div>`;
  return document({ ...shell, lang, layout, title: `${t.thanksTitle} – ${page.workspace.name}` }, body);
}

export function renderMessagePage(lang: PublicLanguage, layout: Layout, title: string, text: string, back: string | null, shell: Omit<PageShell, 'title' | 'layout' | 'lang'>): SafeHtml {
  const t = messagesFor(lang);
  const body = html`<div class="message-page">
<h1>${title}</h1>
<p class="lead">${text}</p>
${back ? html`<p><a class="button button-secondary" href="${back}">${t.back}</a></p>` : null}
</div>`;
  return document({ ...shell, lang, layout, title }, body);
}

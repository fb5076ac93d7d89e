// A tiny HTML templating tag for the public pages: every interpolated value is escaped unless it is
// already markup made by this tag (or explicitly marked with `raw()`), so forgetting to escape is
// impossible and trusting markup is a visible decision. Attribute values must always be quoted
// ("…"); escaping both quote characters keeps a value inside its attribute.

const SAFE = Symbol('portier.safeHtml');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly value: string;
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as SafeHtml)[SAFE] === true;
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (isSafe(value)) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Marks trusted markup (never text that came from a visitor or the database). */
export function raw(markup: string): SafeHtml {
  return { [SAFE]: true, value: markup };
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return raw(out);
}

/** The document as a string, for the reply body. */
export function toHtmlString(doc: SafeHtml): string {
  return doc.value;
}

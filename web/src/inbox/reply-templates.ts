// Reply templates: which one a "/shortcut" means, and filling in its {{variables}}.
import type { Template } from '../api/types.ts';

export interface TemplateValues {
  firstName: string;
  fullName: string;
  myName: string;
  bookingLink: string;
  contactFormLink: string;
}

export const TEMPLATE_VARIABLES: (keyof TemplateValues)[] = ['firstName', 'fullName', 'myName', 'bookingLink', 'contactFormLink'];

export function templateValues(input: {
  contactName: string;
  myName: string;
  handle: string;
  links?: { storefront?: string; contactForm?: string } | undefined;
  origin: string;
}): TemplateValues {
  const fullName = input.contactName.trim();
  const storefront = input.links?.storefront ?? `${input.origin}/@${input.handle}`;
  return {
    firstName: fullName.split(/\s+/)[0] ?? fullName,
    fullName,
    myName: input.myName,
    bookingLink: storefront,
    contactFormLink: input.links?.contactForm ?? `${storefront.replace(/\/$/, '')}/contact`,
  };
}

/** Replaces {{name}} by its value; an unknown variable stays as written, so it is noticed. */
export function fillTemplate(body: string, values: TemplateValues): string {
  return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name as keyof TemplateValues] : whole,
  );
}

/**
 * One template per shortcut, in the language wanted if it exists, else the workspace's, else any.
 * Filtered by what was typed after "/": shortcuts that start with it first, then names containing it.
 */
export function matchTemplates(templates: Template[], typed: string, languages: string[]): Template[] {
  const rank = (t: Template) => {
    const index = languages.indexOf(t.locale);
    return index < 0 ? languages.length : index;
  };
  const byShortcut = new Map<string, Template>();
  for (const template of templates) {
    const key = template.shortcut.toLowerCase();
    const known = byShortcut.get(key);
    if (!known || rank(template) < rank(known)) byShortcut.set(key, template);
  }
  const needle = typed.toLowerCase();
  const all = [...byShortcut.values()];
  const starts = all.filter((t) => t.shortcut.toLowerCase().startsWith(needle));
  const contains = all.filter((t) => !starts.includes(t) && t.name.toLowerCase().includes(needle));
  const sort = (a: Template, b: Template) => a.shortcut.localeCompare(b.shortcut);
  return [...starts.sort(sort), ...contains.sort(sort)];
}

/** The "/word" just before the caret, if the caret ends one; null otherwise. */
export function slashWordBefore(text: string, caret: number): { start: number; typed: string } | null {
  const match = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const typed = match[2] ?? '';
  return { start: caret - typed.length - 1, typed };
}

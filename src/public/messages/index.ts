// The public pages' languages and how one is chosen for a visitor.
import { de } from './de.ts';
import { en, type Messages } from './en.ts';
import { fr } from './fr.ts';
import { it } from './it.ts';

export type { Messages };
export const PUBLIC_LANGUAGES = ['fr', 'de', 'it', 'en'] as const;
export type PublicLanguage = (typeof PUBLIC_LANGUAGES)[number];

const catalogs: Record<PublicLanguage, Messages> = { fr, de, it, en };

export function messagesFor(lang: PublicLanguage): Messages {
  return catalogs[lang];
}

export function isPublicLanguage(value: unknown): value is PublicLanguage {
  return typeof value === 'string' && (PUBLIC_LANGUAGES as readonly string[]).includes(value);
}

/** Accept-Language entries, best first ("de-CH,de;q=0.9,en;q=0.5" → de, de, en). */
function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((e) => e.lang && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((e) => e.lang);
}

/** The workspace's public languages: those it offers that the pages are translated into. */
export function workspaceLanguages(workspace: { locale: string; languages: string }): PublicLanguage[] {
  let offered: unknown;
  try {
    offered = JSON.parse(workspace.languages);
  } catch {
    offered = [];
  }
  const list = (Array.isArray(offered) ? offered : []).map((l) => String(l).toLowerCase().split('-')[0]).filter(isPublicLanguage);
  const locale = workspace.locale.toLowerCase().split('-')[0];
  if (isPublicLanguage(locale) && !list.includes(locale)) list.unshift(locale);
  const unique = [...new Set(list)];
  return unique.length ? unique : ['en'];
}

/**
 * The visitor's language: `?lang=` first (the switcher's links), then the browser's
 * Accept-Language, then the workspace's own locale, always among `available`.
 */
export function chooseLanguage(available: readonly PublicLanguage[], query: unknown, acceptLanguage: string | undefined, fallback: string): PublicLanguage {
  if (isPublicLanguage(query) && available.includes(query)) return query;
  for (const lang of acceptedLanguages(acceptLanguage)) {
    if (isPublicLanguage(lang) && available.includes(lang)) return lang;
  }
  const base = fallback.toLowerCase().split('-')[0];
  if (isPublicLanguage(base) && available.includes(base)) return base;
  return available[0] ?? 'en';
}

/** "24 hours", "2 Tage", "30 minuti": a response target in words. */
export function formatResponseTarget(lang: PublicLanguage, minutes: number): string {
  const [value, unit] = minutes < 120 ? [minutes, 'minute'] : minutes < 72 * 60 ? [Math.round(minutes / 60), 'hour'] : [Math.round(minutes / (24 * 60)), 'day'];
  // German needs the dative after "innerhalb von" ("3 Tagen"), which Intl's unit format does not give.
  if (lang === 'de' && unit === 'day' && value !== 1) return `${value} Tagen`;
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

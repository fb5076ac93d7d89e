// Changing connector settings without resending them whole: a change is merged into the stored
// settings (plain objects deeply, arrays replaced, null removes a key), and what is shown back has
// every secret replaced by a marker, so a form can say "saved — leave empty to keep".

/** Keys whose values are never shown again once saved. */
export const SECRET_KEYS = new Set(['password', 'accessToken', 'signingSecret']);

/** What a secret looks like when shown: it is set (absent when it is not). */
export const SECRET_SET = Object.freeze({ set: true as const });

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const isSecretMarker = (v: unknown) => isPlainObject(v) && Object.keys(v).length === 1 && v.set === true;

/**
 * `change` merged into `base` (neither is modified): plain objects merge key by key, null removes a
 * key, arrays and other values replace. A secret sent back as its marker `{ set: true }` keeps the
 * stored one, so settings read from GET …/settings can be sent back as they are.
 */
export function mergeConfig(base: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(change)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (value === null || value === undefined) delete out[key];
    else if (SECRET_KEYS.has(key) && isSecretMarker(value)) {
      if (!(key in base)) delete out[key];
    } else if (isPlainObject(value)) out[key] = mergeConfig(isPlainObject(base[key]) ? base[key] : {}, value);
    else out[key] = value;
  }
  return out;
}

/** The settings with every secret replaced by `{ set: true }` (an empty secret counts as absent). */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEYS.has(key)) {
      if (value !== undefined && value !== null && value !== '') out[key] = { ...SECRET_SET };
    } else if (isPlainObject(value)) out[key] = redactConfig(value);
    else out[key] = value;
  }
  return out;
}

/** The dotted paths a change touches (for the audit trail: which settings, never their values). */
export function changedPaths(change: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(change).flatMap(([k, v]) => (isPlainObject(v) && !(SECRET_KEYS.has(k) && isSecretMarker(v)) ? changedPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

/** How deeply nested a value is (a guard against hostile request bodies). */
export function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (isPlainObject(v)) return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}

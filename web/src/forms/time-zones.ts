// The IANA time zones the browser knows, with the given zone always among them (older browsers
// may list a zone under a different alias than they resolve to).
export function listTimeZones(include: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const all = new Set(zones);
  if (include) all.add(include);
  all.add('UTC');
  return [...all].sort((a, b) => a.localeCompare(b));
}

/** "America/Argentina/Buenos_Aires" → "America / Argentina / Buenos Aires" */
export function timeZoneLabel(zone: string): string {
  return zone.replace(/_/g, ' ').replace(/\//g, ' / ');
}

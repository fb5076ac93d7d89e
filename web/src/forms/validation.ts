// Checks made in the browser before sending, so people see mistakes at once. The server checks
// again; these only mirror its rules.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Mirrors HANDLE_PATTERN in src/accounts/validation.ts.
const HANDLE = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;

export const MIN_PASSWORD_LENGTH = 10;

export function isEmail(value: string): boolean {
  return EMAIL.test(value.trim());
}

/** 3–40 characters a–z, 0–9 and inner hyphens. */
export function isHandle(value: string): boolean {
  return HANDLE.test(value);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** "Anne Müller Coaching" → "anne-muller-coaching" */
export function suggestHandle(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

/** Moves focus to the first field marked invalid, after React has rendered the marks. */
export function focusFirstInvalid(form: HTMLFormElement): void {
  requestAnimationFrame(() => {
    const field = form.querySelector<HTMLElement>('[aria-invalid="true"], fieldset[aria-describedby*="error"] input');
    field?.focus();
  });
}

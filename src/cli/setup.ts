import { loadConfig } from '../config.ts';
import { createSetupToken, setupLink, setupWorkspace } from '../accounts/setup.ts';
import { parseOptions, UsageError, type Command } from './args.ts';
import { readSecretFile } from './read-secret-file.ts';
import { withStorage } from './with-storage.ts';

export const setupCommand: Command = {
  summary: 'create a workspace and its owner, or print a setup link',
  help: `Usage:
  portier setup --email E --password-file F --handle H --name N [--locale fr] [--languages fr,de] [--timezone Europe/Zurich] [--owner-name NAME]
  portier setup --link

Creates a workspace (one professional's shop) and its owner account, for scripts. Run it again with
another handle to host another workspace on the same installation; a handle is never reused.
With --link, prints a one-time link (valid 24 hours) to do the same in the browser instead.

Options:
  --email          the owner's e-mail address, used to sign in
  --password-file  a file holding the owner's password (at least 10 characters); "-" reads stdin
  --handle         the public handle: 3-40 lower-case letters, digits, hyphens (used in /@handle)
  --name           the workspace's name, as visitors see it
  --owner-name     the owner's display name (default: the workspace name)
  --locale         main language: en, fr, de or it (default en)
  --languages      comma-separated languages offered to visitors (default: the locale)
  --timezone       IANA time zone (default Europe/Zurich)
  --link           print a setup link instead`,
  async run(argv) {
    const { values } = parseOptions('setup', argv, {
      email: { type: 'string' },
      'password-file': { type: 'string' },
      handle: { type: 'string' },
      name: { type: 'string' },
      'owner-name': { type: 'string' },
      locale: { type: 'string', default: 'en' },
      languages: { type: 'string' },
      timezone: { type: 'string', default: 'Europe/Zurich' },
      link: { type: 'boolean' },
    });
    const missing = ['email', 'password-file', 'handle', 'name'].filter((k) => !values[k as keyof typeof values]);
    if (!values.link && missing.length) throw new UsageError(`setup: missing ${missing.map((m) => `--${m}`).join(', ')}. See "portier setup --help" (or use --link).`);
    const config = loadConfig();
    return withStorage(config, async (storage) => {
      if (values.link) {
        const { token } = await createSetupToken(storage.db);
        console.log(`Open this one-time link within 24 hours to create a workspace:\n\n  ${setupLink(config.publicUrl, token)}\n`);
        return 0;
      }
      const password = readSecretFile('setup', values['password-file']!);
      const locale = values.locale!;
      const { workspace, user } = await setupWorkspace(storage.db, {
        workspace: { name: values.name!, handle: values.handle!, locale, languages: values.languages ? values.languages.split(',').map((l) => l.trim()) : [locale], timeZone: values.timezone! },
        owner: { email: values.email!, password, displayName: values['owner-name'] ?? values.name! },
      });
      console.log(`Created workspace "${workspace.name}" (@${workspace.handle}) with owner ${user.email}.\nSign in at ${config.publicUrl}/signin`);
      return 0;
    }, { migrate: true });
  },
};

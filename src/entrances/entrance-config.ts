// An entrance's connector configuration is stored whole, encrypted with the secret box: it holds
// passwords and signing secrets, and nothing in it needs to be queried by SQL.
import type { SecretBox } from '../security/secret-box.ts';
import type { Entrance } from '../storage/schema.ts';

export function sealEntranceConfig(secrets: SecretBox, config: object | null): string | null {
  return config === null ? null : secrets.seal(JSON.stringify(config));
}

export function openEntranceConfig<T = Record<string, unknown>>(secrets: SecretBox, entrance: Pick<Entrance, 'config_encrypted'>): T | null {
  return entrance.config_encrypted ? (JSON.parse(secrets.open(entrance.config_encrypted)) as T) : null;
}

/** Where a sending system delivers messages for a webhook entrance. */
export function webhookUrl(publicUrl: string, entranceId: string): string {
  return `${publicUrl}/hooks/${entranceId}`;
}

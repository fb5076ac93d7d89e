// Spam protection for public forms, without any third party:
//  - a one-time submission token, rendered into the form, that becomes the message's external id
//    (`form:<token>`): a double click or a browser re-POST stores one message;
//  - a signed "issued at" stamp bound to that token: a form sent less than MIN_FILL_MS after it was
//    rendered was not filled in by a person, and a stamp we did not sign was not our form;
//  - a proof-of-work challenge (ALTCHA, self-hosted) solved by the page's small script. The
//    challenge carries the submission token inside its signed data, so one solution unlocks one
//    submission only: replaying it with another token fails verification, and replaying it with
//    the same token is the same message, which the database stores once (unique entrance +
//    external id). That makes replay protection hold across several nodes without shared memory.
//  - a stricter per-IP allowance for submissions without a solution (JavaScript off); see
//    `createNoScriptAllowance`.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';

export const MIN_FILL_MS = 3_000;
/** A form open longer than this is re-rendered with a fresh stamp (the visitor's input kept). */
export const MAX_FORM_AGE_MS = 24 * 60 * 60 * 1000;
export const CHALLENGE_TTL_MS = 2 * 60 * 60 * 1000;

export interface ProofOfWorkDifficulty {
  /** PBKDF2 iterations per attempt. */
  cost: number;
  /** The solver tries counters from 0 up to a random one in this range (mean work ≈ its middle). */
  counterMin: number;
  counterMax: number;
}

/**
 * About 1–3 s on a phone's WebCrypto, spent while the visitor writes: cheap for a person, costly
 * for a robot sending thousands of messages.
 */
export const DEFAULT_DIFFICULTY: ProofOfWorkDifficulty = { cost: 1_000, counterMin: 1_000, counterMax: 4_000 };

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function newSubmissionToken(): string {
  return randomBytes(16).toString('base64url');
}

export function isSubmissionToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export type StampCheck = { ok: true; ageMs: number } | { ok: false; reason: 'invalid' | 'too_fast' | 'expired' };

export type AltchaCheck = 'verified' | 'missing' | 'refused';

export interface FormSecurity {
  /** `<issuedAt>.<mac>`: when the form with this token was rendered, for this workspace. */
  stamp(workspaceId: string, token: string, now?: number): string;
  checkStamp(workspaceId: string, token: string, stamp: string, now?: number): StampCheck;
  createChallenge(workspaceId: string, token: string, now?: number): Promise<Challenge>;
  /** `payload` is what the page's script puts in the `altcha` field: base64 of {challenge, solution}. */
  verifyAltcha(workspaceId: string, token: string, payload: string): Promise<AltchaCheck>;
}

export function createFormSecurity(secretKey: string, difficulty: ProofOfWorkDifficulty = DEFAULT_DIFFICULTY): FormSecurity {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secretKey, 'portier', purpose, 32));
  const stampKey = derive('portier public form stamp');
  // altcha-lib takes its HMAC secrets as strings.
  const challengeSecret = derive('portier altcha challenge').toString('base64url');
  const keySecret = derive('portier altcha derived key').toString('base64url');

  const mac = (workspaceId: string, token: string, issuedAt: number) => createHmac('sha256', stampKey).update(`${workspaceId}\n${token}\n${issuedAt}`).digest('base64url');

  return {
    stamp(workspaceId, token, now = Date.now()) {
      return `${now}.${mac(workspaceId, token, now)}`;
    },

    checkStamp(workspaceId, token, stamp, now = Date.now()) {
      const match = /^(\d{13,16})\.([A-Za-z0-9_-]{43})$/.exec(stamp);
      if (!match) return { ok: false, reason: 'invalid' };
      const issuedAt = Number(match[1]);
      const expected = Buffer.from(mac(workspaceId, token, issuedAt));
      const given = Buffer.from(match[2]!);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
      const ageMs = now - issuedAt;
      if (ageMs < 0) return { ok: false, reason: 'invalid' };
      if (ageMs < MIN_FILL_MS) return { ok: false, reason: 'too_fast' };
      if (ageMs > MAX_FORM_AGE_MS) return { ok: false, reason: 'expired' };
      return { ok: true, ageMs };
    },

    createChallenge(workspaceId, token, now = Date.now()) {
      return createChallenge({
        algorithm: 'PBKDF2/SHA-256',
        cost: difficulty.cost,
        counter: randomInt(difficulty.counterMax, difficulty.counterMin),
        deriveKey,
        data: { workspace: workspaceId, submission: token },
        expiresAt: new Date(now + CHALLENGE_TTL_MS),
        hmacSignatureSecret: challengeSecret,
        hmacKeySignatureSecret: keySecret,
      });
    },

    async verifyAltcha(workspaceId, token, payload) {
      if (!payload) return 'missing';
      let parsed: { challenge?: Challenge; solution?: { counter: number; derivedKey: string } };
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
      } catch {
        return 'refused';
      }
      const { challenge, solution } = parsed ?? {};
      if (!challenge?.parameters || typeof challenge.parameters !== 'object' || !solution) return 'refused';
      // Bound to this workspace and this submission (the data is covered by the signature).
      const data = challenge.parameters.data ?? {};
      if (data.workspace !== workspaceId || data.submission !== token) return 'refused';
      if (challenge.parameters.algorithm !== 'PBKDF2/SHA-256') return 'refused';
      try {
        const result = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret: challengeSecret, hmacKeySignatureSecret: keySecret });
        return result.verified ? 'verified' : 'refused';
      } catch {
        return 'refused';
      }
    },
  };
}

/**
 * Submissions without a proof-of-work solution (JavaScript turned off, or a script that could not
 * run) are still accepted — a contact form must work without JavaScript — but only a few per IP
 * address: the other checks (honeypot, fill time, rate limit) still apply, and above this
 * allowance the visitor is asked to turn JavaScript on or to come back later, input kept. A fixed
 * window per address, in memory: with several nodes each grants its own allowance.
 */
export function createNoScriptAllowance(max = 2, windowMs = 60 * 60 * 1000, maxKeys = 10_000) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key: string, now = Date.now()): boolean {
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        w = { start: now, count: 0 };
        windows.delete(key);
        // Oldest first: Map keeps insertion order, so the first key is the least recently started.
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
        windows.set(key, w);
      }
      if (w.count >= max) return false;
      w.count += 1;
      return true;
    },
  };
}

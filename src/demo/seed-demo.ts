// The demo installation (`portier start --demo`, `npm run demo`, `portier demo`): Claire Rochat, a
// French-speaking freelance trainer of adults in Lausanne, on an ordinary week — requests waiting
// at several doors for different lengths of time, one answered, two closed — so that every screen
// has something true to show. Times are relative to the moment of seeding, so "waiting for 26 h"
// reads the same whenever the demo starts. Every address is on a reserved domain (.example,
// .invalid) and every phone number in an unassigned 000 block, so nothing here reaches anyone.
import { previewOf } from '../core/preview.ts';
import { randomBytes } from 'node:crypto';
import { newId } from '../core/ids.ts';
import { normalizeIdentity } from '../core/identities.ts';
import type { IdentityClaim } from '../channels/contract.ts';
import type { AppContext } from '../http/context.ts';
import { hashPassword } from '../security/passwords.ts';
import type { DbOrTx } from '../storage/database.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import { normalizeEmail } from '../storage/repositories/users.ts';
import { countWorkspaces } from '../storage/repositories/workspaces.ts';
import type { ContactStage, DeliveryState, EntranceHealth, EntranceKind, MessageDirection } from '../storage/schema.ts';

export const DEMO_HANDLE = 'claire-rochat';
export const DEMO_EMAIL = 'claire@demo.portier.invalid';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface DemoEntrance {
  kind: EntranceKind;
  label: string;
  publicUrl: string | null;
  showOnStorefront: boolean;
  responseTargetMinutes: number;
  reviewIntervalDays: number | null;
  lastReviewedAgo: number | null;
  health: EntranceHealth;
  healthReason: string | null;
}

const ENTRANCES = {
  email: { kind: 'email', label: 'E-mail', publicUrl: null, showOnStorefront: true, responseTargetMinutes: 24 * 60, reviewIntervalDays: null, lastReviewedAgo: null, health: 'ok', healthReason: null },
  form: { kind: 'webform', label: 'Formulaire de contact du site', publicUrl: null, showOnStorefront: true, responseTargetMinutes: 24 * 60, reviewIntervalDays: null, lastReviewedAgo: null, health: 'ok', healthReason: null },
  // The profile was last reviewed 120 days ago against a 90-day interval: the door shows "ajar".
  linkedin: { kind: 'linkedin', label: 'LinkedIn', publicUrl: 'https://www.linkedin.com/in/claire-rochat-demo', showOnStorefront: true, responseTargetMinutes: 2 * 24 * 60, reviewIntervalDays: 90, lastReviewedAgo: 120 * DAY, health: 'attention', healthReason: 'Profil pas révisé depuis 120 jours (intervalle : 90 jours)' },
  xing: { kind: 'xing', label: 'Xing', publicUrl: 'https://www.xing.com/profile/Claire_RochatDemo', showOnStorefront: true, responseTargetMinutes: 2 * 24 * 60, reviewIntervalDays: 90, lastReviewedAgo: 30 * DAY, health: 'ok', healthReason: null },
  whatsapp: { kind: 'whatsapp', label: 'WhatsApp', publicUrl: 'https://wa.me/41790001234', showOnStorefront: true, responseTargetMinutes: 4 * 60, reviewIntervalDays: null, lastReviewedAgo: null, health: 'ok', healthReason: null },
  phone: { kind: 'phone', label: 'Téléphone 079 000 12 34', publicUrl: null, showOnStorefront: true, responseTargetMinutes: 24 * 60, reviewIntervalDays: null, lastReviewedAgo: null, health: 'ok', healthReason: null },
  referral: { kind: 'referral', label: 'Recommandations', publicUrl: null, showOnStorefront: false, responseTargetMinutes: 24 * 60, reviewIntervalDays: null, lastReviewedAgo: null, health: 'ok', healthReason: null },
} satisfies Record<string, DemoEntrance>;
type EntranceKey = keyof typeof ENTRANCES;

interface DemoContact {
  name: string;
  stage: ContactStage;
  identities: IdentityClaim[];
  /** Key of the contact who recommended this one. */
  referredBy?: string;
  referredByText?: string;
  notes?: string;
  nextAction?: { text: string; inDays: number };
}

const CONTACTS = {
  sophie: {
    name: 'Sophie Marchand',
    stage: 'inquiry',
    identities: [{ kind: 'email', value: 'sophie.marchand@logistique-broye.example', verified: false }, { kind: 'phone', value: '026 000 41 18', verified: false }],
    notes: 'Responsable RH, Logistique Broye SA, Payerne (env. 120 collaborateurs).',
  },
  daniel: {
    name: 'Daniel Huber',
    stage: 'inquiry',
    identities: [{ kind: 'email', value: 'daniel.huber@limmat-facility.example', verified: true }],
    notes: 'Leiter Personalentwicklung, Limmat Facility Services AG, Zürich-Oerlikon.',
  },
  hannah: {
    name: 'Hannah Whitfield',
    stage: 'inquiry',
    identities: [{ kind: 'linkedin', value: 'https://www.linkedin.com/in/hannah-whitfield-demo', verified: true }],
    notes: 'Learning & Development Lead, international NGO in Geneva.',
  },
  jeanDaniel: {
    name: 'Jean-Daniel Pittet',
    stage: 'inquiry',
    identities: [{ kind: 'phone', value: '024 000 72 40', verified: false }],
    notes: 'Directeur, Centre de formation continue du Nord vaudois, Yverdon-les-Bains.',
  },
  nathalie: {
    name: 'Nathalie Girard',
    stage: 'client',
    identities: [{ kind: 'email', value: 'nathalie.girard@bluewin-demo.example', verified: true }],
    notes: 'Participante de l\'atelier « Prendre la parole en public », automne dernier. Recommande volontiers.',
  },
  thomas: {
    name: 'Thomas Rey',
    stage: 'inquiry',
    identities: [{ kind: 'email', value: 'thomas.rey@fiduciaire-rey.example', verified: false }],
    referredBy: 'nathalie',
    referredByText: 'Nathalie Girard (atelier « Prendre la parole en public »)',
  },
  andrea: {
    name: 'Andrea Keller',
    stage: 'offer',
    identities: [{ kind: 'xing', value: 'https://www.xing.com/profile/Andrea_KellerDemo', verified: true }],
    notes: 'HR Business Partner, Bern. Kurs für Berufsbildnerinnen und Berufsbildner.',
    nextAction: { text: 'Offerte Halbtageskurs « Feedback geben » per E-Mail senden', inDays: 2 },
  },
  isabelle: {
    name: 'Isabelle Perret',
    stage: 'booked',
    identities: [{ kind: 'email', value: 'i.perret@clos-fleuri.example', verified: true }],
    notes: 'Responsable formation, Fondation Clos-Fleuri (EMS), Bulle.',
  },
  julien: {
    name: 'Julien Favre',
    stage: 'client',
    identities: [{ kind: 'whatsapp', value: '+41 78 000 19 27', verified: true }],
    notes: 'Participant du module FSEA du mardi soir à Renens.',
  },
} satisfies Record<string, DemoContact>;
type ContactKey = keyof typeof CONTACTS;

interface DemoMessage {
  direction: MessageDirection;
  ago: number;
  text: string;
  subject?: string;
  externalId?: string;
  state?: DeliveryState;
  /** A message the owner typed in herself (a voicemail she listened to), not one a channel delivered. */
  loggedByOwner?: boolean;
}

interface DemoConversation {
  contact: ContactKey;
  entrance: EntranceKey;
  threadKey: string;
  subject: string | null;
  closed?: boolean;
  messages: DemoMessage[];
}

const CONVERSATIONS: DemoConversation[] = [
  {
    contact: 'sophie',
    entrance: 'form',
    threadKey: 'form-submission-7f3k2',
    subject: 'Formation « Communiquer avec son équipe » pour nos chefs d\'équipe',
    messages: [{
      direction: 'inbound',
      ago: 26 * HOUR,
      externalId: 'form-submission-7f3k2',
      text: `Bonjour Madame Rochat,

Je suis responsable des ressources humaines chez Logistique Broye SA à Payerne. Nous cherchons une formatrice pour une formation en communication destinée à nos neuf chefs d'équipe, dont plusieurs ont été promus récemment.

Idéalement deux jours en présentiel dans nos locaux, entre fin février et avril, en français. Les thèmes qui nous importent : conduire un entretien difficile, donner un feedback constructif, désamorcer les tensions entre les équipes de jour et de nuit.

Pourriez-vous nous faire parvenir une offre et vos disponibilités ? Je suis joignable au 026 000 41 18.

Avec mes meilleures salutations,
Sophie Marchand`,
    }],
  },
  {
    contact: 'daniel',
    entrance: 'email',
    threadKey: '<CAF3d91x.4410@limmat-facility.example>',
    subject: 'Anfrage Führungskräfte-Workshop (2 Tage, Deutsch)',
    messages: [
      {
        direction: 'inbound',
        ago: 6 * DAY,
        externalId: '<CAF3d91x.4410@limmat-facility.example>',
        subject: 'Anfrage Führungskräfte-Workshop (2 Tage, Deutsch)',
        text: `Grüezi Frau Rochat

Eine Kollegin aus dem Netzwerk Erwachsenenbildung hat mir Ihren Namen gegeben. Wir planen für das Frühjahr einen zweitägigen Führungskräfte-Workshop für zwölf Teamleiterinnen und Teamleiter aus Reinigung und Haustechnik. Schwerpunkte: die Rolle als Führungsperson, Mitarbeitergespräche, Umgang mit Konflikten im Team.

Bieten Sie solche Workshops auch auf Deutsch an? Und wie sieht Ihr Tagesansatz aus?

Freundliche Grüsse
Daniel Huber
Leiter Personalentwicklung`,
      },
      {
        direction: 'outbound',
        ago: 5 * DAY + 2 * HOUR,
        externalId: '<portier.8c21@demo.portier.invalid>',
        subject: 'Re: Anfrage Führungskräfte-Workshop (2 Tage, Deutsch)',
        state: 'delivered',
        text: `Grüezi Herr Huber

Vielen Dank für Ihre Anfrage – sehr gerne, ich leite Workshops auch auf Deutsch. Damit ich Ihnen eine passende Offerte machen kann: Haben die Teamleitenden schon eine Führungsausbildung besucht? Und gibt es Daten, die bereits feststehen?

Freundliche Grüsse
Claire Rochat`,
      },
      {
        direction: 'inbound',
        ago: 3 * HOUR,
        externalId: '<CAF3e02y.5127@limmat-facility.example>',
        subject: 'Re: Anfrage Führungskräfte-Workshop (2 Tage, Deutsch)',
        text: `Guten Tag Frau Rochat

Danke für die rasche Antwort. Etwa die Hälfte hat einen Führungslehrgang besucht, die anderen sind neu in der Rolle. Möglich wären zwei Termine Ende März, jeweils bei uns in Oerlikon. Budget haben wir für zwei Tage inklusive Vorbereitung.

Können Sie mir bis Ende nächster Woche eine Offerte schicken?

Freundliche Grüsse
Daniel Huber`,
      },
    ],
  },
  {
    contact: 'hannah',
    entrance: 'linkedin',
    threadKey: 'urn:li:messagingThread:2-demo-hw-41',
    subject: 'Facilitation training for our Geneva team',
    messages: [
      {
        direction: 'inbound',
        ago: 5 * DAY + 4 * HOUR,
        externalId: 'urn:li:message:demo-hw-41-1',
        subject: 'Facilitation training for our Geneva team',
        // LinkedIn hands over only the start of an InMail; the full text is read on LinkedIn.
        text: 'Hi Claire, I came across your profile while looking for a facilitator in the Lake Geneva region. We are an international NGO based in Geneva and would like to offer our programme staff a one-day training on facilitating participatory workshops, in English, for about 15 people. Would you have availability in the spring? Happy to share…',
      },
      {
        direction: 'inbound',
        ago: 22 * HOUR,
        externalId: 'urn:li:message:demo-hw-41-2',
        text: 'Hi Claire, just following up on my message below: we are finalising our training calendar this week. Could we have a short call on Thursday or Friday?',
      },
    ],
  },
  {
    contact: 'jeanDaniel',
    entrance: 'phone',
    threadKey: '+41240007240',
    subject: 'Message vocal : module FSEA à Yverdon',
    messages: [{
      direction: 'inbound',
      ago: 2 * DAY + HOUR,
      loggedByOwner: true,
      text: 'Message vocal (0:52) de Jean-Daniel Pittet, directeur du Centre de formation continue du Nord vaudois à Yverdon. Cherche une formatrice pour le module « Animer des sessions de formation pour adultes » (certificat FSEA) dès la rentrée d\'août : six soirées de 18 h à 21 h. Rappeler au 024 000 72 40, de préférence le matin.',
    }],
  },
  {
    contact: 'thomas',
    entrance: 'referral',
    threadKey: 'referral-thomas-rey',
    subject: 'Recommandé par Nathalie Girard',
    messages: [{
      direction: 'inbound',
      ago: 9 * HOUR,
      externalId: '<20261109.ab12@fiduciaire-rey.example>',
      subject: 'Recommandé par Nathalie Girard',
      text: `Bonjour Madame Rochat,

Nathalie Girard, qui a suivi votre atelier « Prendre la parole en public » l'automne dernier, m'a chaudement recommandé de vous contacter. Je viens de reprendre la direction d'une petite fiduciaire à Morges et je dois présenter régulièrement devant des clients et des autorités communales. Je serais intéressé par un coaching individuel de quelques séances.

Quelles seraient vos disponibilités et vos conditions ?

Bien à vous,
Thomas Rey`,
    }],
  },
  {
    contact: 'andrea',
    entrance: 'xing',
    threadKey: 'xing-thread-demo-ak-7',
    subject: 'Kurs «Feedback geben» für Berufsbildende',
    messages: [
      {
        direction: 'inbound',
        ago: 4 * DAY,
        text: 'Guten Tag Frau Rochat, ich habe Ihr Xing-Profil gesehen. Wir suchen für unsere Berufsbildnerinnen und Berufsbildner einen halbtägigen Kurs zum Thema «Feedback geben». Bieten Sie auch halbe Tage in Bern an? Beste Grüsse, Andrea Keller',
      },
      {
        // Xing offers no API to send: the reply was written on Xing and recorded here.
        direction: 'outbound',
        ago: 3 * DAY + 5 * HOUR,
        state: 'answered_elsewhere',
        text: 'Guten Tag Frau Keller, vielen Dank für Ihre Nachricht. Ja, ein halbtägiger Kurs in Bern ist gut möglich. Ich schicke Ihnen bis Freitag einen Vorschlag mit Inhalt und Kosten per E-Mail. Beste Grüsse, Claire Rochat',
      },
    ],
  },
  {
    contact: 'isabelle',
    entrance: 'email',
    threadKey: '<9b7e.1120@clos-fleuri.example>',
    subject: 'Formation : accueillir les familles des résidents',
    closed: true,
    messages: [
      {
        direction: 'inbound',
        ago: 24 * DAY,
        externalId: '<9b7e.1120@clos-fleuri.example>',
        subject: 'Formation : accueillir les familles des résidents',
        text: `Madame,

Notre EMS souhaite former une douzaine de collaboratrices et collaborateurs des soins à l'accueil des familles des résidents, notamment lors de l'entrée en établissement et en fin de vie. Proposez-vous ce type de formation, sur deux demi-journées ?

Meilleures salutations,
Isabelle Perret
Responsable formation, Fondation Clos-Fleuri, Bulle`,
      },
      {
        direction: 'outbound',
        ago: 23 * DAY,
        externalId: '<portier.51d0@demo.portier.invalid>',
        subject: 'Re: Formation : accueillir les familles des résidents',
        state: 'delivered',
        text: `Chère Madame Perret,

Merci de votre message. Oui, je propose cette formation : deux demi-journées, la première sur l'accueil et l'écoute, la seconde sur les situations de deuil et les conversations difficiles, avec des mises en situation tirées de votre quotidien. Vous trouverez mon offre détaillée en pièce jointe.

Avec mes meilleures salutations,
Claire Rochat`,
      },
      {
        direction: 'inbound',
        ago: 20 * DAY,
        externalId: '<9b7e.1187@clos-fleuri.example>',
        subject: 'Re: Formation : accueillir les familles des résidents',
        text: 'Chère Madame Rochat, le conseil de fondation a accepté votre offre. Nous confirmons les deux demi-journées proposées. Pourriez-vous nous envoyer la convention de formation ? Merci et à bientôt, Isabelle Perret',
      },
      {
        direction: 'outbound',
        ago: 20 * DAY - 3 * HOUR,
        externalId: '<portier.51f3@demo.portier.invalid>',
        subject: 'Re: Formation : accueillir les familles des résidents',
        state: 'delivered',
        text: 'Chère Madame Perret, merci beaucoup pour votre confiance ! Vous trouverez la convention ci-jointe ; je me réjouis de ces deux demi-journées à Bulle. Bien cordialement, Claire Rochat',
      },
    ],
  },
  {
    contact: 'julien',
    entrance: 'whatsapp',
    threadKey: '+41780001927',
    subject: null,
    messages: [{
      direction: 'inbound',
      ago: 40 * MINUTE,
      externalId: 'wamid.HBgLNDE3ODAwMDE5MjcVAgASGBQzQUREMDEyRjQ1',
      text: 'Bonjour Claire, c\'est Julien du cours de mardi à Renens. Est-ce que vous pourriez renvoyer le support sur les méthodes d\'évaluation ? Le lien du mail ne fonctionne plus 🙏',
    }],
  },
  {
    contact: 'nathalie',
    entrance: 'email',
    threadKey: '<e41c.2203@bluewin-demo.example>',
    subject: 'Merci pour l\'atelier !',
    closed: true,
    messages: [
      {
        direction: 'inbound',
        ago: 150 * DAY,
        externalId: '<e41c.2203@bluewin-demo.example>',
        subject: 'Merci pour l\'atelier !',
        text: 'Bonjour Claire, je tenais à vous remercier pour l\'atelier « Prendre la parole en public ». Hier j\'ai présenté notre projet devant la municipalité sans trembler, ou presque ! J\'en parlerai autour de moi. Nathalie',
      },
      {
        direction: 'outbound',
        ago: 149 * DAY,
        externalId: '<portier.0a77@demo.portier.invalid>',
        subject: 'Re: Merci pour l\'atelier !',
        state: 'delivered',
        text: 'Chère Nathalie, quel plaisir de lire cela, bravo ! Merci aussi de parler de l\'atelier autour de vous. Au plaisir de vous recroiser, Claire',
      },
    ],
  },
];

/** How many conversations the demo creates (tests and the message printed after seeding use it). */
export const DEMO_CONVERSATION_COUNT = CONVERSATIONS.length;

/**
 * The moment the oldest unanswered inbound message arrived: the first inbound message after the
 * last reply. Notes do not answer anyone, so they do not stop the clock.
 */
function awaitingSince(messages: Array<{ direction: MessageDirection; sentAt: number }>): number | null {
  let since: number | null = null;
  for (const m of [...messages].sort((a, b) => a.sentAt - b.sentAt)) {
    if (m.direction === 'outbound') since = null;
    else if (m.direction === 'inbound') since ??= m.sentAt;
  }
  return since;
}

async function insertDemo(tx: DbOrTx, passwordHash: string, now: number): Promise<{ workspaceId: string }> {
  const workspaceId = newId(now);
  const ownerId = newId(now);
  await tx.insertInto('workspace').values({
    id: workspaceId, handle: DEMO_HANDLE, name: 'Claire Rochat – Formation d\'adultes', locale: 'fr', languages: JSON.stringify(['fr', 'de', 'en']),
    time_zone: 'Europe/Zurich', created_at: now - 200 * DAY, updated_at: now,
  }).execute();
  await tx.insertInto('user').values({
    id: ownerId, workspace_id: workspaceId, email: DEMO_EMAIL, email_normalized: normalizeEmail(DEMO_EMAIL), display_name: 'Claire Rochat',
    password_hash: passwordHash, role: 'owner', locale: 'fr', created_at: now - 200 * DAY, last_login_at: null,
  }).execute();

  const entranceIds = {} as Record<EntranceKey, string>;
  for (const [key, e] of Object.entries(ENTRANCES) as Array<[EntranceKey, DemoEntrance]>) {
    entranceIds[key] = newId(now);
    await tx.insertInto('entrance').values({
      id: entranceIds[key], workspace_id: workspaceId, kind: e.kind, label: e.label, public_url: e.publicUrl, show_on_storefront: e.showOnStorefront ? 1 : 0,
      config_encrypted: null, response_target_minutes: e.responseTargetMinutes, review_interval_days: e.reviewIntervalDays,
      last_reviewed_at: e.lastReviewedAgo === null ? null : now - e.lastReviewedAgo, health: e.health, health_reason: e.healthReason,
      created_at: now - 200 * DAY, updated_at: now, archived_at: null,
    }).execute();
  }

  // A contact's first door is the entrance of its earliest conversation.
  const firstEntrance = new Map<ContactKey, EntranceKey>();
  for (const c of [...CONVERSATIONS].sort((a, b) => Math.max(...b.messages.map((m) => m.ago)) - Math.max(...a.messages.map((m) => m.ago)))) {
    if (!firstEntrance.has(c.contact)) firstEntrance.set(c.contact, c.entrance);
  }
  const contactIds = {} as Record<ContactKey, string>;
  const identityIds = {} as Record<ContactKey, string>;
  for (const key of Object.keys(CONTACTS) as ContactKey[]) contactIds[key] = newId(now);
  for (const [key, c] of Object.entries(CONTACTS) as Array<[ContactKey, DemoContact]>) {
    const oldest = Math.max(...CONVERSATIONS.filter((v) => v.contact === key).flatMap((v) => v.messages.map((m) => m.ago)), 0);
    await tx.insertInto('contact').values({
      id: contactIds[key], workspace_id: workspaceId, display_name: c.name, stage: c.stage,
      first_entrance_id: firstEntrance.has(key) ? entranceIds[firstEntrance.get(key)!] : null,
      referred_by_contact_id: c.referredBy ? contactIds[c.referredBy as ContactKey] : null, referred_by_text: c.referredByText ?? null, notes: c.notes ?? null,
      next_action: c.nextAction?.text ?? null, next_action_at: c.nextAction ? now + c.nextAction.inDays * DAY : null, merged_into_id: null,
      created_at: now - oldest, updated_at: now,
    }).execute();
    for (const claim of c.identities) {
      // Normalised exactly as the ingest pipeline does, so a new message from the same address
      // lands on this contact.
      const identity = normalizeIdentity(claim);
      if (!identity) throw new Error(`demo data: invalid identity ${claim.kind} ${claim.value}`);
      const id = newId(now);
      identityIds[key] ??= id;
      await tx.insertInto('identity').values({
        id, workspace_id: workspaceId, contact_id: contactIds[key], kind: identity.kind, value: identity.value, value_normalized: identity.normalized,
        verified: identity.verified ? 1 : 0, created_at: now - oldest,
      }).execute();
    }
  }

  for (const c of CONVERSATIONS) {
    const conversationId = newId(now);
    const messages = c.messages.map((m) => ({ ...m, sentAt: now - m.ago }));
    const since = c.closed ? null : awaitingSince(messages);
    const lastMessageAt = Math.max(...messages.map((m) => m.sentAt));
    const createdAt = Math.min(...messages.map((m) => m.sentAt));
    await tx.insertInto('conversation').values({
      id: conversationId, workspace_id: workspaceId, contact_id: contactIds[c.contact], entrance_id: entranceIds[c.entrance], thread_key: c.threadKey,
      subject: c.subject, status: c.closed ? 'closed' : since !== null ? 'open' : 'waiting', awaiting_since: since, last_message_at: lastMessageAt,
      snoozed_until: null, created_at: createdAt, updated_at: lastMessageAt, preview: previewOf(messages.filter((m) => m.direction !== 'note').at(-1)?.text ?? ''),
    }).execute();
    for (const m of messages) {
      await tx.insertInto('message').values({
        id: newId(m.sentAt), workspace_id: workspaceId, conversation_id: conversationId, entrance_id: entranceIds[c.entrance], direction: m.direction,
        external_id: m.externalId ?? null, identity_id: m.direction === 'inbound' ? identityIds[c.contact] : null,
        author_user_id: m.direction !== 'inbound' || m.loggedByOwner ? ownerId : null, subject: m.subject ?? null, text: m.text, html: null,
        sent_at: m.sentAt, delivery_state: m.direction === 'inbound' ? 'received' : (m.state ?? 'sent'), delivery_error: null, created_at: m.sentAt,
      }).execute();
    }
  }
  await recordEvent(tx, { workspaceId, actorUserId: ownerId, type: 'workspace.created', subjectType: 'workspace', subjectId: workspaceId, data: { handle: DEMO_HANDLE, demo: true } }, now);
  return { workspaceId };
}

export interface DemoSeedResult {
  created: boolean;
  email?: string;
  password?: string;
  conversations?: number;
}

/**
 * Fills an empty installation with the demo workspace and prints how to sign in. Does nothing on
 * an installation that has any workspace: the demo never mixes with real data.
 */
export async function seedDemoIfEmpty(ctx: Pick<AppContext, 'storage' | 'logger'>, now = Date.now()): Promise<DemoSeedResult> {
  const db = ctx.storage.db;
  if ((await countWorkspaces(db)) > 0) {
    process.stdout.write('demo data: a workspace exists already, so no demo data was added.\n');
    return { created: false };
  }
  // A random password rather than a fixed one: a demo started on a reachable server must not
  // open to a password printed in the documentation.
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const passwordHash = await hashPassword(password);
  try {
    await db.transaction().execute((tx) => insertDemo(tx, passwordHash, now));
  } catch (err) {
    // Two processes seeding at once: the unique handle lets one win; the other has nothing to do.
    if (/unique|duplicate/i.test(String((err as Error).message))) {
      process.stdout.write('demo data: another process created the demo workspace a moment ago.\n');
      return { created: false };
    }
    throw err;
  }
  ctx.logger.info({ handle: DEMO_HANDLE }, 'demo workspace created');
  process.stdout.write(`demo data: created @${DEMO_HANDLE} (Claire Rochat, trainer in Lausanne) with ${CONVERSATIONS.length} conversations.\n`
    + `demo data: sign in with ${DEMO_EMAIL} / ${password}\n`);
  return { created: true, email: DEMO_EMAIL, password, conversations: CONVERSATIONS.length };
}

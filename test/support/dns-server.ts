// A real DNS server on loopback, answering from a zone held in a JS object, so the code under test
// resolves through node:dns over real UDP (and TCP when an answer does not fit) instead of a mock.
// Names missing from the zone answer NXDOMAIN; a name that exists without the asked type answers
// NOERROR with no records (NODATA), as a real authoritative server does — the two mean different
// things to SPF and DMARC. A name can also be told to time out, SERVFAIL or REFUSE; "*.example.org"
// stands for every name below example.org that has no entry of its own, and "*" for every name.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import * as packet from 'dns-packet';

export interface ZoneEntry {
  A?: string[];
  AAAA?: string[];
  /** One string is one record (split into 255-byte character-strings); an array gives the character-strings as they are. */
  TXT?: Array<string | string[]>;
  MX?: Array<{ priority: number; exchange: string }>;
  /** An alias: every other type is answered with this CNAME and the target's records, as a recursive server does. */
  CNAME?: string;
  /** Misbehave for this name: never answer, answer SERVFAIL, or answer REFUSED. */
  fail?: 'timeout' | 'servfail' | 'refused';
}

export type Zone = Record<string, ZoneEntry>;

export interface DnsQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export interface TestDnsServer {
  /** "127.0.0.1:PORT", for Resolver#setServers. */
  address: string;
  port: number;
  /** The zone served; replace or change it between tests. */
  zone: Zone;
  /** Every question asked, in order. */
  queries: DnsQuery[];
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const TTL = 60;

function chunkTxt(value: string): Buffer[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out.length ? out : [Buffer.alloc(0)];
}

/** The entry for a name: its own, else the nearest "*.parent" wildcard, else "*" (every name). */
function lookupEntry(zone: Zone, name: string): ZoneEntry | undefined {
  const entries = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  if (entries.has(name)) return entries.get(name);
  const labels = name.split('.');
  for (let i = 1; i < labels.length; i++) {
    const wildcard = entries.get(`*.${labels.slice(i).join('.')}`);
    if (wildcard) return wildcard;
  }
  return entries.get('*');
}

/** A name exists when it, or a name below it, is in the zone (an "empty non-terminal" exists too). */
function nameExists(zone: Zone, name: string): boolean {
  return Object.keys(zone).some((k) => {
    const key = k.toLowerCase();
    return key === name || key.endsWith(`.${name}`);
  });
}

function recordsOf(name: string, entry: ZoneEntry, type: string): packet.Answer[] {
  switch (type) {
    case 'A':
      return (entry.A ?? []).map((data) => ({ type: 'A', name, ttl: TTL, data }));
    case 'AAAA':
      return (entry.AAAA ?? []).map((data) => ({ type: 'AAAA', name, ttl: TTL, data }));
    case 'TXT':
      return (entry.TXT ?? []).map((r) => ({ type: 'TXT', name, ttl: TTL, data: typeof r === 'string' ? chunkTxt(r) : r.map((s) => Buffer.from(s, 'utf8')) }));
    case 'MX':
      return (entry.MX ?? []).map((data) => ({ type: 'MX', name, ttl: TTL, data: { preference: data.priority, exchange: data.exchange } }));
    default:
      return [];
  }
}

type Answer = { rcode: number; answers: packet.Answer[] } | 'drop';

function answer(zone: Zone, question: packet.Question): Answer {
  let name = question.name.toLowerCase().replace(/\.$/, '');
  const answers: packet.Answer[] = [];
  // Follow at most a few aliases, like a recursive resolver would, and stop on a loop.
  for (let hop = 0; hop < 8; hop++) {
    const entry = lookupEntry(zone, name);
    if (entry?.fail === 'timeout') return 'drop';
    if (entry?.fail === 'servfail') return { rcode: RCODE.SERVFAIL, answers: [] };
    if (entry?.fail === 'refused') return { rcode: RCODE.REFUSED, answers: [] };
    if (!entry) return { rcode: nameExists(zone, name) ? RCODE.NOERROR : RCODE.NXDOMAIN, answers };
    if (entry.CNAME && question.type !== 'CNAME') {
      answers.push({ type: 'CNAME', name, ttl: TTL, data: entry.CNAME });
      name = entry.CNAME.toLowerCase().replace(/\.$/, '');
      continue;
    }
    if (question.type === 'CNAME' && entry.CNAME) answers.push({ type: 'CNAME', name, ttl: TTL, data: entry.CNAME });
    else answers.push(...recordsOf(name, entry, question.type));
    return { rcode: RCODE.NOERROR, answers };
  }
  return { rcode: RCODE.SERVFAIL, answers: [] };
}

/** The response to a query, or null when the query is to go unanswered (a timeout). */
function respond(zone: Zone, query: packet.DecodedPacket, log: DnsQuery[], transport: 'udp' | 'tcp'): Buffer | null {
  const question = query.questions?.[0];
  if (!question) return packet.encode({ type: 'response', id: query.id, flags: RCODE.REFUSED, questions: [] });
  log.push({ name: question.name.toLowerCase(), type: question.type, transport });
  const result = answer(zone, question);
  if (result === 'drop') return null;
  const flags = packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | result.rcode;
  const full = packet.encode({ type: 'response', id: query.id, flags, questions: [question], answers: result.answers });
  if (transport === 'tcp') return full;
  // Over UDP an answer larger than the client's buffer (512 bytes without EDNS) is cut: the client
  // sees the TC flag and asks again over TCP, as with a real server and a 2048-bit DKIM key.
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  const limit = Math.max(512, opt?.udpPayloadSize ?? 512);
  if (full.length <= limit) return full;
  return packet.encode({ type: 'response', id: query.id, flags: flags | packet.TRUNCATED_RESPONSE, questions: [question], answers: [] });
}

async function listenTcp(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Starts a DNS server on 127.0.0.1 (UDP and TCP on the same free port) serving `zone`. */
export async function startDnsServer(zone: Zone = {}): Promise<TestDnsServer> {
  const state = { zone, queries: [] as DnsQuery[] };
  const sockets = new Set<Socket>();

  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    udp.on('message', (msg: Buffer, from: RemoteInfo) => {
      let query: packet.DecodedPacket;
      try {
        query = packet.decode(msg);
      } catch {
        return; // not DNS: ignore, as servers do
      }
      const out = respond(state.zone, query, state.queries, 'udp');
      if (out) udp.send(out, from.port, from.address);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;

    const tcp = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2) {
          const length = buffered.readUInt16BE(0);
          if (buffered.length < 2 + length) break;
          const msg = buffered.subarray(2, 2 + length);
          buffered = buffered.subarray(2 + length);
          let query: packet.DecodedPacket;
          try {
            query = packet.decode(msg);
          } catch {
            socket.destroy();
            return;
          }
          const out = respond(state.zone, query, state.queries, 'tcp');
          if (out) {
            const framed = Buffer.alloc(2 + out.length);
            framed.writeUInt16BE(out.length, 0);
            out.copy(framed, 2);
            socket.write(framed);
          }
        }
      });
    });
    try {
      await listenTcp(tcp, port);
    } catch (err) {
      udp.close();
      // Someone holds this TCP port already: take another pair.
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
      throw err;
    }

    return {
      address: `127.0.0.1:${port}`,
      port,
      get zone() {
        return state.zone;
      },
      set zone(next: Zone) {
        state.zone = next;
      },
      queries: state.queries,
      close: async () => {
        for (const s of sockets) s.destroy();
        await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
      },
    };
  }
}

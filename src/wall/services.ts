/**
 * The wall's parts, built together once by the runtime and handed to the routes: the wall
 * itself, blind tokens, answer deadlines, rooms with presence, and the e-mail digest.
 */
import type { Analyzer } from '../analysis/analyzer.js';
import type { EscalationRunner } from '../alerts/escalation-runner.js';
import type { MailTransport } from '../alerts/notify-email.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import { WallDeadlines } from './deadlines.js';
import { RoomDigest } from './digest.js';
import { Rooms } from './rooms.js';
import { BlindTokens } from './tokens.js';
import { Wall } from './wall.js';
import { Invitations } from './invitations.js';
import type { SecretSealer } from '../store/escalation.js';

export interface WallServices {
  readonly wall: Wall;
  readonly tokens: BlindTokens;
  readonly deadlines: WallDeadlines;
  readonly rooms: Rooms;
  readonly digest: RoomDigest;
  readonly mail: Pick<MailTransport, 'send'> | null;
  readonly invitations: Invitations;
  close(): void;
}

export interface WallServicesOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly analyzer: Analyzer;
  readonly escalation: EscalationRunner;
  readonly mail: Pick<MailTransport, 'send'> | null;
  /** Seals contacts' webhook secrets at rest; the digest reads contacts through it. */
  readonly secrets: SecretSealer;
  readonly clock?: () => Date;
  readonly publicUrl?: string | null;
  readonly dailyTokens?: number;
  /** How often deadlines are checked (ms, default a minute); 0: never (tests call `deadlines.tick`). */
  readonly tickEveryMs?: number;
  /** How often missed messages are mailed (ms, default an hour); 0: never (tests call `digest.send`). */
  readonly digestEveryMs?: number;
  readonly onError?: (error: unknown) => void;
}

export function createWallServices(options: WallServicesOptions): WallServices {
  const tokens = new BlindTokens({ store: options.store, clock: options.clock, dailyTokens: options.dailyTokens });
  const deadlines = new WallDeadlines({ store: options.store, escalation: options.escalation, clock: options.clock });
  const wall = new Wall({
    store: options.store,
    bus: options.bus,
    analyzer: options.analyzer,
    tokens,
    clock: options.clock,
    onAnswered: (threadId, userId) => deadlines.answered(threadId, userId),
  });
  const rooms = new Rooms({ store: options.store, bus: options.bus, clock: options.clock });
  const digest = new RoomDigest({
    store: options.store,
    secrets: options.secrets,
    mail: options.mail,
    presence: rooms.presence,
    publicUrl: options.publicUrl,
  });
  const onError = options.onError ?? ((error: unknown) => console.error('wall:', error));
  const every = options.tickEveryMs ?? 60_000;
  const digestEvery = options.digestEveryMs ?? 3_600_000;
  const timers = [
    every > 0 ? setInterval(() => void deadlines.tick().catch(onError), every) : null,
    digestEvery > 0 ? setInterval(() => void digest.send().catch(onError), digestEvery) : null,
  ];
  for (const timer of timers) timer?.unref();
  return {
    wall,
    tokens,
    deadlines,
    rooms,
    digest,
    mail: options.mail,
    invitations: new Invitations({
      store: options.store,
      secrets: options.secrets,
      mail: options.mail,
      publicUrl: options.publicUrl,
      clock: options.clock,
    }),
    close: () => {
      for (const timer of timers) if (timer) clearInterval(timer);
    },
  };
}

/**
 * Bringing employees in: an admin invites one person by e-mail, or many from a CSV file. Each
 * gets an `employee` account with a password nobody knows and a one-time link (valid 14 days)
 * to set their own, mailed through the SMTP set-up the notifications and digests use. The link
 * carries the token after `#`, so it never reaches a server log; only its hash is stored.
 */
import { randomBytes } from 'node:crypto';
import type { MailTransport } from '../alerts/notify-email.js';
import { EarshotError, invalid } from '../domain/errors.js';
import type { User } from '../domain/user.js';
import { setContact, type SecretSealer } from '../store/escalation.js';
import type { Store } from '../store/open.js';
import {
  acceptInvitation,
  getInvitation,
  insertInvitation,
  knownEmails,
  usernameTaken,
} from '../store/wall-invitations.js';
import { assertPasswordStrongEnough, createUser, getUser, hashToken } from '../store/users.js';
import { EMAIL, parseEmployeesCsv, USERNAME, type RowProblem } from './employee-csv.js';

export const INVITATION_DAYS = 14;

export interface Invited {
  readonly user: User;
  readonly email: string;
  /** Whether the link went out by e-mail; without SMTP the admin passes `link` on by hand. */
  readonly mailed: boolean;
  readonly link: string;
}

export interface InvitationsOptions {
  readonly store: Store;
  readonly secrets: SecretSealer;
  readonly mail: Pick<MailTransport, 'send'> | null;
  readonly publicUrl?: string | null;
  readonly clock?: () => Date;
}

export class Invitations {
  readonly #o: InvitationsOptions;
  readonly #clock: () => Date;

  constructor(options: InvitationsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** One person: refused if the address or the username is already known. */
  async invite(input: { email: string; name: string; username?: string | null }, by: User): Promise<Invited> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw invalid(`"${input.email}" is not an e-mail address`);
    if (input.name.trim() === '') throw invalid('the name is missing');
    if (input.username && !USERNAME.test(input.username)) throw invalid(`"${input.username}" is not a username`);
    if ((await knownEmails(this.#o.store.db, [email])).size > 0)
      throw new EarshotError('ERR_CONFLICT', { detail: `${email} has an account already` });
    if (input.username && (await usernameTaken(this.#o.store.db, input.username)))
      throw new EarshotError('ERR_CONFLICT', { detail: `the username ${input.username} is taken` });
    return this.#create(email, input.name.trim(), input.username ?? null, by);
  }

  /** Many people from a CSV; a bad line is reported by number and does not stop the others. */
  async importCsv(text: string, by: User): Promise<{ invited: Invited[]; problems: RowProblem[] }> {
    const { rows, problems } = parseEmployeesCsv(text);
    const known = await knownEmails(
      this.#o.store.db,
      rows.map((row) => row.email),
    );
    const invited: Invited[] = [];
    for (const row of rows) {
      if (known.has(row.email)) {
        problems.push({ line: row.line, message: `${row.email} has an account already` });
        continue;
      }
      if (row.username && (await usernameTaken(this.#o.store.db, row.username))) {
        problems.push({ line: row.line, message: `the username ${row.username} is taken` });
        continue;
      }
      invited.push(await this.#create(row.email, row.name, row.username, by));
    }
    problems.sort((a, b) => a.line - b.line);
    return { invited, problems };
  }

  /** Whether a link is still good (the accept page asks before showing its form). */
  async check(token: string): Promise<{ displayName: string; username: string }> {
    const { user } = await this.#valid(token);
    return { displayName: user.displayName, username: user.username };
  }

  /** The invited person sets their password; the link is then used up. */
  async accept(token: string, password: string): Promise<User> {
    const { user } = await this.#valid(token);
    assertPasswordStrongEnough(password);
    await acceptInvitation(this.#o.store.db, hashToken(token), password, this.#clock().toISOString());
    return user;
  }

  async #valid(token: string): Promise<{ user: User }> {
    const invitation = await getInvitation(this.#o.store.db, hashToken(token));
    const gone = () => new EarshotError('ERR_NOT_FOUND', { what: 'Invitation', id: '(used, expired or unknown)' });
    if (!invitation || invitation.acceptedAt !== null || invitation.expiresAt <= this.#clock().toISOString())
      throw gone();
    const user = await getUser(this.#o.store.db, invitation.userId);
    if (!user) throw gone();
    return { user };
  }

  async #create(email: string, name: string, username: string | null, by: User): Promise<Invited> {
    const { db } = this.#o.store;
    const now = this.#clock();
    const user = await createUser(
      db,
      {
        username: username ?? (await freeUsername(this.#o.store, email)),
        displayName: name,
        role: 'employee',
        // Nobody knows it: the account opens only through the link.
        password: randomBytes(32).toString('base64url'),
      },
      now.toISOString(),
    );
    await setContact(db, this.#o.secrets, user.id, { email, webhookUrl: null }, now.toISOString());
    const token = randomBytes(24).toString('base64url');
    await insertInvitation(
      db,
      {
        tokenHash: hashToken(token),
        userId: user.id,
        expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000).toISOString(),
      },
      now.toISOString(),
    );
    const link = `${this.#o.publicUrl ?? ''}/invite#${token}`;
    if (!this.#o.mail) return { user, email, mailed: false, link };
    try {
      await this.#o.mail.send({
        to: email,
        subject: '[Earshot] You are invited to the wall',
        text: [
          `Hello ${name},`,
          '',
          `${by.displayName} invites you to Earshot's wall and rooms: ask the programme team anything,`,
          'with your name or anonymously, and talk with colleagues.',
          '',
          `Your username: ${user.username}`,
          `Choose your password here (the link works once, for ${INVITATION_DAYS} days):`,
          link,
        ].join('\n'),
      });
    } catch {
      // The account and link exist: the admin sees `mailed: false` and can pass the link on.
      return { user, email, mailed: false, link };
    }
    return { user, email, mailed: true, link };
  }
}

/** The e-mail's local part as a username, with a number added while it is taken. */
async function freeUsername(store: Store, email: string): Promise<string> {
  const base = (email.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '') || 'employee').slice(0, 56).padEnd(2, '0');
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}${n}`;
    if (!(await usernameTaken(store.db, candidate))) return candidate;
  }
}

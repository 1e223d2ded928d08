/**
 * A real IMAP server for tests: Debian's Dovecot (`dovecot-imapd`) run from a throwaway config
 * on a loopback port, with one static password for every user and maildirs under a temp
 * folder. Absent outside CI, the mail tests skip with a reason; under CI=true they fail
 * (`.ci/run` installs it).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, chownSync, chmodSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const DOVECOT_BIN = '/usr/sbin/dovecot';

/** `skip` for `describe`: a reason when Dovecot is not installed, except under CI where absence must fail. */
export function dovecotSkip(): string | false {
  if (existsSync(DOVECOT_BIN) || process.env.CI === 'true') return false;
  return `no ${DOVECOT_BIN} (apt-get install dovecot-imapd)`;
}

export interface Dovecot {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly dir: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startDovecot(): Promise<Dovecot> {
  if (!existsSync(DOVECOT_BIN)) throw new Error(`${DOVECOT_BIN} is missing: apt-get install dovecot-imapd`);
  const dir = mkdtempSync(join(tmpdir(), 'earshot-dovecot-'));
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  const port = await freePort();
  const password = 'imap-test-secret';
  // Dovecot will not run mail processes as root: as root, use its own unprivileged user.
  const root = process.getuid?.() === 0;
  const uid = root ? Number(execFileSync('id', ['-u', 'dovecot']).toString().trim()) : process.getuid!();
  const gid = root ? Number(execFileSync('id', ['-g', 'dovecot']).toString().trim()) : process.getgid!();
  if (root) {
    // mkdtemp makes the folder 0700; the mail processes run as `dovecot` and must reach the maildirs.
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'mail'), uid, gid);
  }
  const me = userInfo().username;
  const config = [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    'auth_failure_delay = 0',
    'first_valid_uid = 1',
    ...(root ? [] : [`default_internal_user = ${me}`, `default_login_user = ${me}`]),
    `mail_location = maildir:${dir}/mail/%u`,
    `passdb {\n  driver = static\n  args = password=${password}\n}`,
    `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${dir}/mail/%u\n}`,
    `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
    // No brute-force penalty: the tests log in wrongly on purpose and must not wait seconds after.
    `service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}`,
    `service stats {\n  unix_listener stats-reader {\n    mode = 0666\n  }\n  unix_listener stats-writer {\n    mode = 0666\n  }\n}`,
  ].join('\n');
  writeFileSync(join(dir, 'dovecot.conf'), `${config}\n`);
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const log = () => {
    const path = join(dir, 'dovecot.log');
    return `${output}${existsSync(path) ? readFileSync(path, 'utf8') : ''}`;
  };
  try {
    await waitForPort(port, 10_000, () => child.exitCode !== null);
  } catch (error) {
    child.kill('SIGTERM');
    throw new Error(`dovecot did not start: ${(error as Error).message}\n${log()}`);
  }
  return {
    host: '127.0.0.1',
    port,
    password,
    dir,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died()) throw new Error('the process exited');
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}

/**
 * `earshot.config.yaml`: sources configured in a file beside the data folder (or at
 * EARSHOT_CONFIG), for installs managed as code. Read at start, validated against each source
 * definition's schema, and upserted into the store, where the supervisor finds them like
 * sources added from the desk. Secrets may be `${ENV_VAR}` references, so the file itself can
 * be committed; they are sealed before they are stored.
 *
 * ```yaml
 * allowedPrivateHosts: [mail.intranet.example, 10.20.0.0/16]
 * sources:
 *   - name: uni-mastodon
 *     kind: mastodon
 *     options:
 *       instanceUrl: https://mastodon.example
 *       accessToken: ${MASTODON_TOKEN}
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Config } from '../config.js';
import { EarshotError } from '../domain/errors.js';
import { normaliseIntranetEntries } from '../domain/intranet-hosts.js';
import type { Store } from '../store/open.js';
import { upsertSourceByName } from '../store/sources.js';
import { splitSecrets, type SecretBox } from './secrets.js';
import { findDefinition, SOURCE_NAME_PATTERN, validateSourceOptions } from './supervisor.js';
import { SOURCE_DEFINITIONS } from './index.js';
import type { SourceDefinition, AnySourceDefinition } from './source.js';

export const CONFIG_FILE_NAME = 'earshot.config.yaml';

export interface FileSource {
  readonly name: string;
  readonly kind: string;
  readonly enabled: boolean;
  /** Validated, with `${ENV}` references resolved; secrets still in here until `applyConfigFile`. */
  readonly options: Record<string, unknown>;
}

/** What the file configures: its sources, and the intranet hosts and networks they may reach. */
export interface FileConfig {
  readonly sources: FileSource[];
  readonly allowedPrivateHosts: string[];
}

const TOP_KEYS = ['allowedPrivateHosts', 'sources'] as const;
const SOURCE_KEYS = ['name', 'kind', 'enabled', 'options'] as const;

/** The file to read: EARSHOT_CONFIG, else `earshot.config.yaml` in the data folder's parent when it exists. */
export function configFilePath(config: Pick<Config, 'configFile' | 'dataDir'>): string | null {
  if (config.configFile) return config.configFile;
  if (config.dataDir === ':memory:') return null;
  const beside = join(dirname(config.dataDir), CONFIG_FILE_NAME);
  return existsSync(beside) ? beside : null;
}

/** The file's sources (see `readConfig`). */
export function readConfigFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  definitions: readonly AnySourceDefinition[] = SOURCE_DEFINITIONS,
): FileSource[] {
  return readConfig(file, env, definitions).sources;
}

/** Parses and validates the file; every mistake is reported with the path of the field. */
export function readConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  definitions: readonly AnySourceDefinition[] = SOURCE_DEFINITIONS,
): FileConfig {
  const fail = (path: string, detail: string): never => {
    throw new EarshotError('ERR_CONFIG_FILE_INVALID', { file, path, detail });
  };
  if (!existsSync(file)) fail('(file)', 'does not exist');
  const document = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (document.errors.length > 0) fail('(yaml)', document.errors[0]!.message.split('\n')[0]!);
  const root = document.toJS() as unknown;
  if (root === null || root === undefined) return { sources: [], allowedPrivateHosts: [] };
  if (!isObject(root)) return fail('(root)', 'must be a mapping with a `sources:` list');
  refuseUnknown(root, TOP_KEYS, '', fail);
  const hosts = root.allowedPrivateHosts ?? [];
  if (!Array.isArray(hosts) || hosts.some((host) => typeof host !== 'string'))
    return fail('allowedPrivateHosts', 'must be a list of host names, addresses or networks (10.20.0.0/16)');
  let allowedPrivateHosts: string[];
  try {
    allowedPrivateHosts = normaliseIntranetEntries(hosts as string[], 'allowedPrivateHosts');
  } catch (error) {
    return fail('allowedPrivateHosts', (error as Error).message.replace(/^allowedPrivateHosts: /, ''));
  }
  const list = root.sources ?? [];
  if (!Array.isArray(list)) return fail('sources', 'must be a list');
  const seen = new Set<string>();
  const sources = list.map((entry: unknown, index): FileSource => {
    const at = `sources[${index}]`;
    if (!isObject(entry)) return fail(at, 'must be a mapping with name, kind and options');
    refuseUnknown(entry, SOURCE_KEYS, `${at}.`, fail);
    const { name, kind } = entry;
    if (typeof name !== 'string' || !SOURCE_NAME_PATTERN.test(name))
      fail(`${at}.name`, 'must be 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
    if (seen.has(name as string)) fail(`${at}.name`, `"${name as string}" is configured twice`);
    seen.add(name as string);
    if (typeof kind !== 'string') return fail(`${at}.kind`, 'is required');
    let definition: SourceDefinition;
    try {
      definition = findDefinition(kind, definitions);
    } catch (error) {
      return fail(`${at}.kind`, (error as Error).message);
    }
    if (entry.enabled !== undefined && typeof entry.enabled !== 'boolean')
      fail(`${at}.enabled`, 'must be true or false');
    const raw = entry.options ?? {};
    if (!isObject(raw)) return fail(`${at}.options`, 'must be a mapping');
    const options = Object.fromEntries(
      Object.entries(raw).map(([field, value]) => [
        field,
        resolveEnv(value, env, (variable) =>
          fail(`${at}.options.${field}`, `refers to \${${variable}}, which is not set`),
        ),
      ]),
    );
    try {
      return {
        name: name as string,
        kind,
        enabled: entry.enabled !== false,
        options: validateSourceOptions(definition, name as string, options),
      };
    } catch (error) {
      const path = (error as EarshotError).params?.path;
      return fail(
        path ? `${at}.options.${String(path)}` : `${at}.options`,
        String((error as EarshotError).params?.detail ?? (error as Error).message),
      );
    }
  });
  return { sources, allowedPrivateHosts };
}

/** Stores the file's sources (sealing their secrets); returns their names. */
export async function applyConfigFile(
  store: Store,
  box: SecretBox,
  sources: readonly FileSource[],
  definitions: readonly AnySourceDefinition[] = SOURCE_DEFINITIONS,
  now = new Date().toISOString(),
): Promise<string[]> {
  for (const source of sources) {
    const definition = findDefinition(source.kind, definitions);
    const { plain, secrets } = splitSecrets(source.options, definition.secrets);
    const sealed = Object.keys(secrets).length > 0 ? box.seal(source.name, secrets) : null;
    await upsertSourceByName(
      store.db,
      {
        name: source.name,
        kind: source.kind,
        options: plain,
        sealedSecrets: sealed,
        secretsSet: Object.keys(secrets),
        enabled: source.enabled,
        origin: 'file',
      },
      now,
    );
  }
  return sources.map((source) => source.name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseUnknown(
  value: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
  fail: (path: string, detail: string) => never,
): void {
  for (const key of Object.keys(value))
    if (!known.includes(key)) fail(`${prefix}${key}`, `unknown key; expected one of ${known.join(', ')}`);
}

/** `${NAME}` in strings (whole or inside) becomes the environment variable's value. */
function resolveEnv(value: unknown, env: NodeJS.ProcessEnv, missing: (variable: string) => never): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => env[variable] ?? missing(variable));
}

/**
 * Every error Earshot reports on purpose, in one registry: a stable code, an HTTP status and a
 * message template. `docs/errors.md` documents each code; a test keeps the two in step.
 */

export const ERROR_CODES = {
  ERR_AUTH_REQUIRED: { status: 401, message: 'Authentication required' },
  ERR_AUTH_INVALID: { status: 401, message: 'Invalid username or password' },
  ERR_AUTH_FORBIDDEN: { status: 403, message: 'Your role ({role}) may not do this; it needs {needed}' },
  ERR_TOKEN_SCOPE: { status: 403, message: 'This API token lacks the {scope} scope' },
  ERR_ORIGIN_REFUSED: { status: 403, message: 'Refused a {method} from another site ({origin})' },
  ERR_INPUT_INVALID: { status: 400, message: '{detail}' },
  ERR_INPUT_TOO_LARGE: { status: 413, message: 'Body is larger than {limit} bytes' },
  ERR_INGEST_MALFORMED: { status: 400, message: 'Line {line}: {detail}' },
  ERR_QUERY_SYNTAX: { status: 400, message: 'Query syntax error at position {position}: {detail}' },
  ERR_NOT_FOUND: { status: 404, message: '{what} {id} not found' },
  ERR_CONFLICT: { status: 409, message: '{detail}' },
  ERR_TICKET_TRANSITION: { status: 409, message: 'A ticket cannot go from {from} to {to}' },
  ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; retry in {retryAfter}' },
  ERR_CONFIG_INVALID: { status: 500, message: 'Configuration error: {detail}' },
  ERR_SOURCE_UNKNOWN_KIND: { status: 400, message: 'No source kind "{kind}"; known kinds: {known}' },
  ERR_SOURCE_OPTIONS_INVALID: { status: 400, message: 'Source {name}: option {path} {detail}' },
  ERR_SOURCE_CHECK_FAILED: { status: 422, message: 'Source {name} failed its check: {detail}' },
  ERR_SOURCE_URL_REFUSED: { status: 400, message: 'Refused to fetch {url}: {detail}' },
  ERR_SOURCE_SEND_FAILED: { status: 502, message: 'Source {name} could not send the reply: {detail}' },
  ERR_SOURCE_AUTH_FAILED: {
    status: 502,
    message: 'Source {name} was refused by {remote}: {detail}; it needs new credentials',
  },
  ERR_SOURCE_REPLY_UNSUPPORTED: { status: 422, message: 'Source {name} cannot send this reply: {detail}' },
  ERR_SECRETS_UNREADABLE: { status: 500, message: 'Cannot decrypt the secrets of source {name}: {detail}' },
  ERR_SECRETS_KEY_INVALID: { status: 500, message: 'EARSHOT_SECRET_KEY is unusable: {detail}' },
  ERR_CONFIG_FILE_INVALID: { status: 500, message: '{file}: {path}: {detail}' },
  ERR_DATA_DIR_LOCKED: {
    status: 500,
    message:
      'The data folder {dataDir} is in use by another Earshot (pid {pid}, since {since}); stop it, or remove {lock} if it is not running',
  },
  ERR_LISTEN_FAILED: { status: 500, message: 'Cannot listen on {address}: {detail}; sources stopped' },
  ERR_GUIDELINE_BLOCKED: {
    status: 422,
    message: 'The reply breaks the reply guidelines (version {version}): {findings}',
  },
  ERR_GUIDELINE_WARNINGS: {
    status: 409,
    message:
      'The reply has guideline warnings to look at first (version {version}): {findings}; send again with acknowledgeWarnings',
  },
  ERR_REPLY_REVIEW_REQUIRED: {
    status: 403,
    message: 'Your public replies wait for a reviewer at your belt level; submit it for review instead',
  },
  ERR_INTERNAL: { status: 500, message: 'Internal error' },
  ERR_WALL_TOKEN_INVALID: { status: 403, message: 'The anonymous posting token is not valid: {detail}' },
  ERR_WALL_TOKEN_SPENT: { status: 409, message: 'The anonymous posting token was already used' },
  ERR_WALL_BATCH_BLOCKED: {
    status: 403,
    message: 'Anonymous posting with this batch of tokens was blocked by a moderator',
  },
  ERR_WALL_TOKENS_EXHAUSTED: { status: 429, message: 'No more anonymous posting tokens today ({limit} a day)' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error meant for the user: it carries a code, a status and a message safe to show. */
export class EarshotError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Readonly<Record<string, string | number>>;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options?: ErrorOptions) {
    const spec = ERROR_CODES[code];
    super(
      spec.message.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? `{${key}}`)),
      options,
    );
    this.name = 'EarshotError';
    this.code = code;
    this.status = spec.status;
    this.params = Object.freeze({ ...params });
  }

  toJSON(): { error: { code: ErrorCode; message: string; status: number } } {
    return { error: { code: this.code, message: this.message, status: this.status } };
  }
}

export function isEarshotError(error: unknown): error is EarshotError {
  return error instanceof EarshotError;
}

export const invalid = (detail: string): EarshotError => new EarshotError('ERR_INPUT_INVALID', { detail });
export const notFound = (what: string, id: string | number): EarshotError =>
  new EarshotError('ERR_NOT_FOUND', { what, id });

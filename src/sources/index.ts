/**
 * The channels Earshot can listen to, by kind. Each channel file exports one
 * `SourceDefinition`; adding a channel is one line here. The host (runtime, desk, config
 * file) only ever works through this list.
 */
import type { Static, TObject } from '@sinclair/typebox';
import type { Source, SourceCapabilities } from './source.js';
import { demoSourceDefinition } from './demo.js';
import { blueskySourceDefinition } from './bluesky.js';
import { mailSourceDefinition } from './mail.js';
import { mastodonSourceDefinition } from './mastodon.js';
import { rssSourceDefinition } from './rss.js';

/** What a source may use from its host besides its own options. */
export interface SourceEnvironment {
  /** The source instance's configured name; posts carry it as `PostDraft.source`. */
  readonly name: string;
  readonly fetch: typeof globalThis.fetch;
  readonly clock: () => Date;
  /** Loopback and private addresses are refused unless an admin allowed them (tests do). */
  readonly allowPrivateNetwork: boolean;
}

export interface SourceDefinition<Schema extends TObject = TObject> {
  readonly kind: string;
  readonly label: string;
  readonly description: string;
  /** What every source of this kind can do: the desk's reply policy and length limits come from here, not from a source's name. */
  readonly capabilities: SourceCapabilities;
  /** The options an admin fills in (TypeBox); validated before `create` is called. */
  readonly options: Schema;
  /** Option names holding credentials: stored encrypted, never returned by the API, never logged. */
  readonly secrets: readonly (keyof Static<Schema> & string)[];
  create(options: Static<Schema>, environment: SourceEnvironment): Source;
  /** One cheap remote call proving the options and credentials work, run before an admin's source is saved. */
  check?(options: Static<Schema>, environment: SourceEnvironment): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of definitions of different option shapes
export const SOURCE_DEFINITIONS: readonly SourceDefinition<any>[] = [demoSourceDefinition, blueskySourceDefinition, mailSourceDefinition, mastodonSourceDefinition, rssSourceDefinition];

export function sourceDefinition(kind: string): SourceDefinition | undefined {
  return SOURCE_DEFINITIONS.find((definition) => definition.kind === kind);
}

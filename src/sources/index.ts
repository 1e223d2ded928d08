/**
 * The channels Earshot can listen to, by kind. Each channel file exports one
 * `SourceDefinition` (the contract is in `source.ts`); adding a channel is one line here. The
 * host (runtime, desk, config file) only ever works through this list.
 */
import type { SourceDefinition, AnySourceDefinition } from './source.js';
import { demoSourceDefinition } from './demo.js';
import { blueskySourceDefinition } from './bluesky.js';
import { mailSourceDefinition } from './mail.js';
import { mastodonSourceDefinition } from './mastodon.js';
import { rssSourceDefinition } from './rss.js';

export const SOURCE_DEFINITIONS: readonly AnySourceDefinition[] = [
  demoSourceDefinition,
  blueskySourceDefinition,
  mailSourceDefinition,
  mastodonSourceDefinition,
  rssSourceDefinition,
];

export function sourceDefinition(kind: string): SourceDefinition | undefined {
  return SOURCE_DEFINITIONS.find((definition) => definition.kind === kind);
}

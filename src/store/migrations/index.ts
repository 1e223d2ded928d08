/**
 * The migrations, in order. A new migration is a new file plus one line here.
 */
import type { Migration } from 'kysely';
import * as initial from './2026-11-23-initial.js';
import * as incidents from './2026-11-23b-incidents.js';
import * as escalation from './2026-11-23c-escalation.js';
import * as sources from './2026-11-23d-sources.js';
import * as authorSignals from './2026-11-23e-author-signals.js';
import * as incidentActivity from './2026-12-02-incident-activity.js';
import * as kindConfidence from './2026-12-02-kind-confidence.js';
import * as install from './2026-12-02b-install.js';
import * as conversations from './2026-12-03d-conversations.js';
import * as searchRollups from './2026-12-03e-search-rollups.js';
import * as wall from './2026-12-03f-wall.js';
import * as knowledge from './2026-12-03g-knowledge.js';
import * as security from './2026-12-03c-security.js';
import * as services from './2026-12-03h-services.js';
import * as deskActions from './2026-12-04c-desk-actions.js';
import * as settings from './2026-12-04b-settings.js';
import * as reportRollups from './2026-12-04g-report-rollups.js';
import * as sourceSettings from './2026-12-04d-source-settings.js';
import * as savedViews from './2026-12-06a-saved-views.js';
import * as reportSpeed from './2026-12-06b-report-speed.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '2026-11-23-initial': initial,
  '2026-11-23b-incidents': incidents,
  '2026-11-23c-escalation': escalation,
  '2026-11-23d-sources': sources,
  '2026-11-23e-author-signals': authorSignals,
  '2026-12-02-incident-activity': incidentActivity,
  '2026-12-02-kind-confidence': kindConfidence,
  '2026-12-02b-install': install,
  '2026-12-03d-conversations': conversations,
  '2026-12-03e-search-rollups': searchRollups,
  '2026-12-03f-wall': wall,
  '2026-12-03g-knowledge': knowledge,
  '2026-12-03c-security': security,
  '2026-12-03h-services': services,
  '2026-12-04c-desk-actions': deskActions,
  '2026-12-04b-settings': settings,
  '2026-12-04g-report-rollups': reportRollups,
  '2026-12-04d-source-settings': sourceSettings,
  '2026-12-06a-saved-views': savedViews,
  '2026-12-06b-report-speed': reportSpeed,
});

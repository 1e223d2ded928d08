/**
 * Wire shapes of the desk's source settings (`/api/sources/settings`): the intranet hosts an
 * admin lets sources reach, beside the ones the environment and the config file list, and the
 * audit of changes. The desk imports their `Static` types through `web/src/api-types.ts`.
 */
import { type Static, Type } from '@sinclair/typebox';
import { MAX_INTRANET_ENTRIES } from '../domain/intranet-hosts.js';

const HostList = Type.Array(Type.String({ maxLength: 300 }), { maxItems: MAX_INTRANET_ENTRIES });

export const SourceSettingsBody = Type.Object(
  {
    allowedPrivateHosts: Type.Array(Type.String({ maxLength: 300 }), {
      maxItems: MAX_INTRANET_ENTRIES,
      description: 'Intranet host names, literal addresses and CIDR networks sources may reach although private',
    }),
  },
  { additionalProperties: false },
);

export const SourceSettingsSchema = Type.Object({
  /** What the desk set (editable here). */
  allowedPrivateHosts: HostList,
  /** EARSHOT_ALLOWED_PRIVATE_HOSTS and earshot.config.yaml's `allowedPrivateHosts` (read-only here). */
  environment: HostList,
  configFile: HostList,
  /** The union the guard applies to every source. */
  effective: HostList,
  audit: Type.Array(
    Type.Object({
      id: Type.Integer(),
      at: Type.String(),
      username: Type.String(),
      setting: Type.String(),
      before: Type.Unknown(),
      after: Type.Unknown(),
    }),
  ),
});

export type SourceSettings = Static<typeof SourceSettingsSchema>;

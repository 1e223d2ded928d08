/**
 * The guideline check's findings for a reply, shown before it is sent: blocks stop it,
 * warnings need a look, advice is a hint. Words and an icon say the level, never colour alone.
 */
import type { Finding } from '../api-types.js';

const LEVEL: Record<Finding['level'], { icon: string; label: string }> = {
  block: { icon: '✖', label: 'Blocked' },
  warn: { icon: '⚠', label: 'Warning' },
  advice: { icon: 'ℹ', label: 'Advice' },
};

export function Findings({
  findings,
  version,
  pending,
  compact,
}: {
  findings: readonly Finding[];
  version?: number;
  pending?: boolean;
  compact?: boolean;
}) {
  if (findings.length === 0) {
    if (compact) return null;
    return (
      <p className="findings findings-ok small" role="status">
        <span aria-hidden="true">✓ </span>
        {pending
          ? 'Checking against the reply guidelines…'
          : `Passes the reply guidelines${version !== undefined ? ` (v${version})` : ''}`}
      </p>
    );
  }
  return (
    <ul className={`findings${compact ? ' findings-compact' : ''}`} aria-label="Guideline findings" aria-live="polite">
      {findings.map((finding, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a check's findings are a fixed list, never reordered, and one rule may fire twice
        <li key={`${finding.rule}-${index}`} className={`finding finding-${finding.level}`} data-rule={finding.rule}>
          <span aria-hidden="true">{LEVEL[finding.level].icon} </span>
          <strong>{LEVEL[finding.level].label}:</strong> {finding.message}
        </li>
      ))}
    </ul>
  );
}

export function worstLevel(findings: readonly Finding[]): Finding['level'] | null {
  if (findings.some((finding) => finding.level === 'block')) return 'block';
  if (findings.some((finding) => finding.level === 'warn')) return 'warn';
  return findings.length > 0 ? 'advice' : null;
}

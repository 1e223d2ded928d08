/**
 * The generated admin password, framed so it stands out among the start-up and request logs
 * (it is shown once). Plain ASCII, so any terminal and any log file shows the frame.
 */
export function adminPasswordBox(username: string, password: string): string {
  const lines = [
    `Created user "${username}" with password:`,
    '',
    `    ${password}`,
    '',
    'Shown once: note it now, or set EARSHOT_ADMIN_PASSWORD to choose it.',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const rule = `+${'-'.repeat(width + 2)}+`;
  return ['', rule, ...lines.map((line) => `| ${line.padEnd(width)} |`), rule, ''].join('\n');
}

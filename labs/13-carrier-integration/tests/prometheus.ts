// The Prometheus text exposition format, parsed for lab 13's tests (which judge /metrics by its samples, never by
// grepping the text). Tested against prom-client's own output in tests/unit/prometheus-parser.test.ts.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parse the Prometheus text exposition format (version 0.0.4): `# HELP` / `# TYPE` lines, and one sample per line,
 * `name{label="value",…} number [timestamp]`, label values with `\\`, `\"` and `\n` escapes. Throws on a line that is
 * not one of those, naming it.
 */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s+(counter|gauge|histogram|summary|untyped)\s*$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      continue;
    }
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`line ${index + 1} is not a sample: ${line}`);
    const name = head[1]!;
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      const label = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,?)/;
      for (;;) {
        if (rest.trimStart().startsWith('}')) {
          rest = rest.trimStart().slice(1);
          break;
        }
        const m = label.exec(rest);
        if (!m) throw new Error(`line ${index + 1} has malformed labels: ${line}`);
        labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
        rest = rest.slice(m[0].length);
        if (!m[3] && !rest.trimStart().startsWith('}'))
          throw new Error(`line ${index + 1} has malformed labels: ${line}`);
      }
    }
    const value = /^\s+(\S+)(\s+-?\d+)?\s*$/.exec(rest);
    if (!value) throw new Error(`line ${index + 1} has no value: ${line}`);
    const v = value[1]!;
    const number = v === '+Inf' ? Number.POSITIVE_INFINITY : v === '-Inf' ? Number.NEGATIVE_INFINITY : Number(v);
    if (Number.isNaN(number) && v !== 'NaN')
      throw new Error(`line ${index + 1} has a value that is not a number: ${line}`);
    samples.push({ name, labels, value: number });
  }
  return { samples, types };
}

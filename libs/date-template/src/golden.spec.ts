// Agreement with the JDK: every case in golden/simpledateformat.json (written by java/GoldenGenerator.java)
// must come out identical here. When `java` is on the PATH the golden is also regenerated and compared.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileJavaPattern, compileUrlTemplate, DateTemplateError } from './index';

type ZoneRows<T> = T[][];
interface Golden {
  readonly jdk: string;
  readonly twoDigitYearStart: number;
  readonly zones: string[];
  readonly instants: number[];
  /** [pattern, parse checked, formatted[zone][instant], parse delta[zone][instant] (null: Java threw)] */
  readonly patterns: [string, boolean, ZoneRows<string>, ZoneRows<number | null> | null][];
  /** [template, render zone ('' = default), rendered[instant]] */
  readonly urls: [string, string, string[]][];
  /** [pattern, Java's IllegalArgumentException message] */
  readonly badPatterns: [string, string][];
}

const libraryRoot = join(__dirname, '..');
const goldenPath = join(libraryRoot, 'golden', 'simpledateformat.json');
const zoneTablePath = join(__dirname, 'java-zone-table.ts');
const generatorPath = join(libraryRoot, 'java', 'GoldenGenerator.java');
const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as Golden;

function at<T>(rows: ZoneRows<T>, zone: number, instant: number): T {
  const value = rows[zone]?.[instant];
  if (value === undefined) throw new Error(`golden file has no cell [${zone}][${instant}]`);
  return value;
}

describe('agreement with java.text.SimpleDateFormat (golden file)', () => {
  it('covers the matrix the brief asks for', () => {
    expect(golden.patterns.length).toBeGreaterThanOrEqual(40);
    expect(golden.instants).toHaveLength(50);
    expect(golden.zones).toHaveLength(8);
  });

  it('formats every pattern × instant × zone exactly like the JDK', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const [pattern, , formatted] of golden.patterns) {
      const format = compileJavaPattern(pattern);
      golden.zones.forEach((zone, z) => {
        golden.instants.forEach((instant, i) => {
          const expected = at(formatted, z, i);
          const actual = format.format(new Date(instant), zone);
          compared++;
          if (actual !== expected) {
            mismatches.push(
              `${pattern} @ ${new Date(instant).toISOString()} in ${zone}: JDK ${expected}, ours ${actual}`,
            );
          }
        });
      });
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(compared).toBe(golden.patterns.length * golden.instants.length * golden.zones.length);
  });

  it('parses the JDK-formatted text back to the same instant the JDK parses it to', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const [pattern, parseChecked, formatted, deltas] of golden.patterns) {
      if (!parseChecked || !deltas) continue;
      const format = compileJavaPattern(pattern, { twoDigitYearStart: new Date(golden.twoDigitYearStart) });
      golden.zones.forEach((zone, z) => {
        golden.instants.forEach((instant, i) => {
          const text = at(formatted, z, i);
          const expected = at(deltas, z, i);
          let actual: number | string;
          try {
            actual = format.parse(text, zone).getTime() - instant;
          } catch (error) {
            actual = error instanceof DateTemplateError ? `${error.code}: ${error.message}` : String(error);
          }
          compared++;
          if (actual !== expected)
            mismatches.push(`${pattern} "${text}" in ${zone}: JDK ${expected}, ours ${actual}`);
        });
      });
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(compared).toBeGreaterThan(15_000);
  });

  it('renders URL templates like the JDK-based reference renderer', () => {
    const mismatches: string[] = [];
    for (const [source, zone, rendered] of golden.urls) {
      const template = compileUrlTemplate(source);
      golden.instants.forEach((instant, i) => {
        const expected = rendered[i];
        const actual = template.render(new Date(instant), zone === '' ? undefined : { zone });
        if (actual !== expected)
          mismatches.push(`${source} (${zone}) @ ${instant}: expected ${expected}, got ${actual}`);
      });
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it('refuses the patterns the JDK refuses, with a matching code', () => {
    for (const [pattern, javaMessage] of golden.badPatterns) {
      expect(javaMessage).not.toBe('ACCEPTED');
      const expectedCode = javaMessage.startsWith('Unterminated quote')
        ? 'UNTERMINATED_QUOTE'
        : javaMessage.startsWith('Illegal pattern character')
          ? 'UNKNOWN_PATTERN_LETTER'
          : 'INVALID_ARGUMENT';
      let caught: unknown;
      try {
        compileJavaPattern(pattern);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DateTemplateError);
      expect((caught as DateTemplateError).code).toBe(expectedCode);
      const letter = /'(.)'/.exec(javaMessage)?.[1];
      if (letter) expect((caught as DateTemplateError).message).toContain(`'${letter}'`);
    }
  });

  it('is reproduced by the JDK on this machine (regenerates golden and zone table when java is available)', () => {
    const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      console.warn('date-template: `java` is not on the PATH; skipping the golden regeneration check only.');
      return;
    }
    const major = Number(/version "(\d+)/.exec(probe.stderr)?.[1] ?? '0');
    if (major >= 23) {
      console.warn(
        `date-template: JDK ${major} has no COMPAT locale data; regeneration check needs JDK 9-22.`,
      );
      return;
    }
    const outDir = mkdtempSync(join(tmpdir(), 'date-template-golden-'));
    try {
      const run = (args: string[]): void => {
        execFileSync('java', ['-Djava.locale.providers=COMPAT', generatorPath, ...args], { stdio: 'pipe' });
      };
      run([join(outDir, 'simpledateformat.json')]);
      run(['--zone-table', join(outDir, 'java-zone-table.ts')]);
      // The JDK patch version is recorded for information; everything else must be identical.
      const withoutJdkLine = (text: string): string =>
        text.replace(/^"jdk":.*$/m, '').replace(/\(JDK [^,]*,/, '');
      expect(withoutJdkLine(readFileSync(join(outDir, 'simpledateformat.json'), 'utf8'))).toBe(
        withoutJdkLine(readFileSync(goldenPath, 'utf8')),
      );
      expect(withoutJdkLine(readFileSync(join(outDir, 'java-zone-table.ts'), 'utf8'))).toBe(
        withoutJdkLine(readFileSync(zoneTablePath, 'utf8')),
      );
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});

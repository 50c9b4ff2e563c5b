import { exposedMetricNames, loadQueries, metricNamesIn } from './observability-check';
import { REPO_ROOT } from './infra';

describe('deploy/observability checks', () => {
  it('loads the shipped dashboard and alert rules, and every expression parses', () => {
    const { queries, problems } = loadQueries(REPO_ROOT);
    expect(problems).toEqual([]);
    expect(queries.length).toBeGreaterThan(30);
    for (const query of queries) {
      const parsed = metricNamesIn(query.expr);
      expect({ where: query.where, ...parsed, ok: parsed.syntaxErrors.length === 0 }).toMatchObject({
        ok: true,
      });
      expect(parsed.names.length).toBeGreaterThan(0);
    }
  });

  it('finds the metrics an expression selects, and reports what does not parse', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="1"}[$__rate_interval]))) / on() b_total > 0',
      ),
    ).toEqual({ names: ['a_bucket', 'b_total'], syntaxErrors: [] });
    expect(metricNamesIn('sum(rate(a_total[5m])').syntaxErrors).not.toEqual([]);
  });

  it('derives the series names of histograms and summaries from a scrape', () => {
    const names = exposedMetricNames(
      ['# TYPE c_total counter', '# TYPE h_seconds histogram', '# TYPE s summary', 'c_total 1'].join('\n'),
    );
    expect([...names].sort()).toEqual(
      [
        'c_total',
        'h_seconds',
        'h_seconds_bucket',
        'h_seconds_count',
        'h_seconds_sum',
        's',
        's_count',
        's_sum',
      ].sort(),
    );
  });
});

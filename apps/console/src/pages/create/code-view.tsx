// The poller configuration as editable JSON, with line numbers and the line of a syntax error marked.
import { useRef, useState } from 'react';
import { describedBy, FieldMessages } from '../../components/field';
import type { JsonProblem } from '../../lib/json-location';

/** Must match --code-line-height in styles.css: the error band is positioned in lines. */
const LINE_HEIGHT_PX = 20;
const PADDING_PX = 8;

export function PollerCodeView({
  id,
  value,
  onChange,
  problem,
  serverErrors,
}: {
  readonly id: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly problem: JsonProblem | undefined;
  readonly serverErrors: readonly string[];
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = Math.max(1, value.split('\n').length);
  const errors = [
    ...(problem === undefined ? [] : [`Line ${problem.line}, column ${problem.column}: ${problem.message}`]),
    ...serverErrors,
  ];
  const hint = 'JSON object: one key per resource. The form above and this code are the same configuration.';

  return (
    <div className="field">
      <label htmlFor={id}>
        Code view: <code>event.poller.configuration</code>
      </label>
      <div className={`code-editor ${problem === undefined ? '' : 'has-error'}`}>
        <div className="code-gutter" ref={gutter} aria-hidden="true">
          <div style={{ transform: `translateY(${-scrollTop}px)` }}>
            {Array.from({ length: lineCount }, (_, index) => (
              <div
                key={index}
                className={problem?.line === index + 1 ? 'gutter-line error-line' : 'gutter-line'}
              >
                {index + 1}
              </div>
            ))}
          </div>
        </div>
        {problem !== undefined && (
          <div
            className="code-error-band"
            aria-hidden="true"
            style={{ top: `${PADDING_PX + (problem.line - 1) * LINE_HEIGHT_PX - scrollTop}px` }}
          />
        )}
        <textarea
          id={id}
          className="code-input"
          value={value}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          wrap="off"
          rows={Math.min(24, Math.max(8, lineCount + 1))}
          onChange={(event) => onChange(event.target.value)}
          onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
          aria-invalid={errors.length > 0 ? true : undefined}
          aria-describedby={describedBy(id, hint, errors)}
        />
      </div>
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}

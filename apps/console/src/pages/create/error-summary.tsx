// The summary at the top of the create form after a refused submit: every problem, each a link that
// focuses its field. It takes focus (the ref), and stays in the page hidden when there is nothing to say.
import type { Ref } from 'react';
import type { FieldIssue } from '../../api/types';
import { fieldIdOf, type FieldTarget } from '../../lib/error-paths';

export function ErrorSummary({
  ref,
  targets,
  submitProblem,
  formErrors,
}: {
  readonly ref: Ref<HTMLDivElement>;
  readonly targets: readonly { readonly issue: FieldIssue; readonly target: FieldTarget }[];
  readonly submitProblem: string | null;
  readonly formErrors: readonly string[];
}) {
  const hasProblems = targets.length > 0 || submitProblem !== null;
  return (
    <div
      id="create-form-errors"
      ref={ref}
      tabIndex={-1}
      className={hasProblems ? 'error-summary' : 'visually-hidden'}
      role={hasProblems ? 'alert' : undefined}
    >
      {hasProblems && (
        <>
          <h2>The instance was not created</h2>
          {submitProblem !== null && <p>{submitProblem}</p>}
          <ul>
            {targets.map(({ issue, target }, index) => (
              <li key={index}>
                <a
                  href={`#${fieldIdOf(target)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    document.getElementById(fieldIdOf(target))?.focus();
                  }}
                >
                  {issue.path === '' ? '' : `${issue.path}: `}
                  {issue.message}
                </a>
              </li>
            ))}
          </ul>
          {formErrors.length > 0 && <p className="visually-hidden">{formErrors.join(' ')}</p>}
        </>
      )}
    </div>
  );
}
